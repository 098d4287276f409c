"""What a dataset looks like to the outside: citations, schema.org JSON-LD, a DCAT-AP catalog,
a Frictionless Data Package and code snippets. Pure functions over catalog rows: no I/O,
every piece of catalog text escaped for the format it lands in."""
