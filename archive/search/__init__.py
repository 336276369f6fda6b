"""Search: the Whoosh index and everything that reads it (no archive state: the
engine asks an archive.library Archive, as engine.SearchSource, for what it needs).

index        the schema, the analyzer (one for indexing, queries and the reader's marks),
             SearchIndex (serialized writing, a shared searcher), make_document
query        the query language (fields, dates, AND/OR/NOT, phrases, prefixes), querydates
engine       run_search: a page of hits with snippets, the total, facets, "did you mean"
termscores   one term's documents and BM25F scores as numpy arrays (cached per segment)
phrases      exact phrases: common-word pairs, array positions, AdjacentTerms
docsets      unscored matches as sets of document numbers (counts, facets, NOT)
topn         the block scorer: top N by relevance for plain queries
scoring      FastBM25F (length norms read once per segment)
dense        frequent terms' postings as flat arrays beside each segment
ranges       date ranges from the sortable column; snippets; textstore (the texts, compressed)
reindex      the parallel rebuild; verify: reading the whole index to find damage
whoosh_internals  every use of Whoosh below its public API, version-checked at import
"""
