"""The archive on disk: store.Archive is the facade (saving, reading, tags and states,
search, maintenance) over the catalog (catalog.py, SQLite: the state) and the article
folders (layout.py: the only code that knows the folder's names), with its managers:
collections, tags, highlights (anchoring, textmap), userdata (collections.json).
check (find and mend drift), backup, lock (one window per archive), watch (changes
made by other processes), paths (where archives live).
"""
