"""Schema of the `listeners` stream, and the `listener_id` every user-data and history
record carries."""

from __future__ import annotations

from singer_sdk import typing as th

LISTENER_ID = th.Property(
    "listener_id", th.StringType, required=True,
    description="Whose data this is: the listener_id setting, else the Spotify account "
                "id (account_id, else id), else the download's username, else 'default'.")

LISTENER = th.PropertiesList(
    LISTENER_ID,
    th.Property("account_id", th.StringType, description="/me's account_id (May 2026 on)"),
    th.Property("user_id", th.StringType, description="/me's id"),
    th.Property("display_name", th.StringType),
    th.Property("time_zone", th.StringType,
                description="The listener's time zone (the time_zone setting): the models "
                            "count days and hours in it"),
    th.Property("authorized_on", th.DateType,
                description="When the listener gave the stored authorization "
                            "(refresh_token_date)"),
    th.Property("authorization_ends_on", th.DateType,
                description="When that authorization ends (6 months after consent): log "
                            "in again before then"),
    th.Property("synced_on", th.DateType, description="The day (UTC) of this run"),
).to_dict()
