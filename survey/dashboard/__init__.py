"""The coordinators' follow-up dashboard: where every participant is in the round."""
