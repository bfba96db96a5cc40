"""media_v2: tenant-scoped media assets."""
