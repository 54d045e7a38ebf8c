"""Digital signatures: certificates and keys, PAdES signing with endesive, verification.

- ``certificates``: the demo certificate authority, staff certificates, PKCS#12 key files
  opened only with the signer's passphrase.
- ``pades``: incremental PAdES signatures in a PDF (each visa and the final signature its own).
- ``verification``: what a signed PDF says about each of its signatures, checked against the
  configured trust store only (pyHanko's validator).
"""
