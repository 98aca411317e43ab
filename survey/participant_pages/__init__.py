"""The staff's participant list and participant page (blueprint "participant_pages"), and the
coordinators' actions offered there and on the follow-up page: send, resend, revoke, a new
link, status, channel, paper and contact changes. Above the participant entity
(survey/participants), invitations and messaging, which these use."""
