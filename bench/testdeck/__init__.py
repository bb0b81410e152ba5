"""A sanctions test deck built by code: listed names, manipulated the way evaders do, in payments.

`manipulations` holds the text tricks (one pure function per class), `deck` turns list entries
into canonical payments with the expected rules, `sources` reads the lists and the BIC directory
the deck is built from, `screening` loads the full lists and screens payments as the product does.
"""
