"""What every layer shares: errors, models (Article, SearchHit, …), changes (what an
operation changed), atomic writes, safe file names, media (read-only and full
disks), markup (void elements and the embed mark)."""
