"""The import and export format names, in a module that imports nothing.

The command line lists them in `import --help` and `export --help` on every start;
reading them from here spares it importing every parser and exporter (bs4,
markdownify, ebooklib...) just to print their names. The importers and exporters
packages take their FORMATS from here, and a test checks each name has its code.
"""

IMPORT_FORMATS = ("netscape", "pocket", "instapaper", "wallabag", "omnivore", "pinboard", "linkwarden",
                  "karakeep", "readwise", "raindrop", "readeck", "chrome", "firefox", "urls", "folder",
                  "json")
EXPORT_FORMATS = ("epub", "html", "markdown", "json", "netscape", "pocket-csv", "highlights-markdown",
                  "readwise-csv")
