"""Canonical column names used inside the pipeline, whatever the user's file calls them."""

ENTITY = "cluster_id"
TIME = "year"
SOURCE_ROW = "source_row"  #: row number in the raw file (header = row 1), kept for error messages
NAME = "cluster_name"
PROVINCE = "province"
INDUSTRY = "industry"
REGION = "region"
MONEY_UNIT = "money_unit"

#: Role in the data config -> canonical column name.
DESCRIPTIVE_ROLES = {
    "name": NAME,
    "province": PROVINCE,
    "industry": INDUSTRY,
    "region": REGION,
    "money_unit": MONEY_UNIT,
}
