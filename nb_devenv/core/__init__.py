"""Small pure pieces the client and the server share: AK/SK signing (``signing``), secret
masking (``redaction``), replaceable clocks (``clock``), the default data directory and the
names of its files (``paths``), and lazy package attributes (``lazy``).

Nothing here imports another layer; nothing here does network I/O. Import the module you
need (``from nb_devenv.core import signing``): this package loads none of them by itself.
"""
