"""Reference lists outside the pure core: reading them from files, the versioned store that
`lists fetch` keeps, fetching and publishing them to the watchlists topic.

rules/lists/ parses bytes it is given; this package finds the bytes (disk, HTTP) and sends the
parsed lists on. It sits below screening/ (whose context loader reads list files) and above
infra/.
"""
