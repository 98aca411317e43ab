"""Data out for analysis: one column registry (columns.py) that every format and the
codebook read, the records to export with their filter (records.py), and one module
per format: wide and long CSV, the codebook, Stata and SPSS, a REDCap data dictionary
and a FHIR R4 Bundle. Contact details and anything about treatment are never in them.
"""
