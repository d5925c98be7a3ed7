"""The CSCA certificates a bank trusts: a folder of PEM/DER certificates, or an ICAO or
national master list (a CMS SignedData whose content is a CscaMasterList)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms, core, pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509

log = logging.getLogger(__name__)

MASTER_LIST_OID = "2.23.136.1.1.2"
MAX_TRUST_FILE = 64 << 20
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
LIST_SUFFIXES = (".ml", ".p7m", ".p7b", ".bin")


class _CertSet(core.SetOf):  # type: ignore[misc]
    _child_spec = asn1_x509.Certificate


class CscaMasterList(core.Sequence):  # type: ignore[misc]
    _fields = [("version", core.Integer), ("cert_list", _CertSet)]  # noqa: RUF012


class TrustStoreError(ValueError):
    pass


@dataclass(frozen=True)
class TrustStore:
    certificates: tuple[x509.Certificate, ...]
    source: str

    def issuers_of(self, cert: x509.Certificate) -> list[x509.Certificate]:
        return [c for c in self.certificates if c.subject == cert.issuer]


def _certs_from_bytes(data: bytes) -> list[x509.Certificate]:
    if pem.detect(data):
        out = []
        for kind, _headers, der in pem.unarmor(data, multiple=True):
            if kind == "CERTIFICATE":
                out.append(x509.load_der_x509_certificate(der))
            elif kind in ("CMS", "PKCS7"):
                out.extend(_certs_from_master_list(der))
        return out
    if data[:1] == b"\x30":
        try:
            return [x509.load_der_x509_certificate(data)]
        except ValueError:
            return _certs_from_master_list(data)
    raise TrustStoreError("neither a certificate nor a master list")


def _certs_from_master_list(der: bytes) -> list[x509.Certificate]:
    """The CSCA certificates of a master list. The list's own signature (by a master list
    signer) is not what makes them trusted: the bank installing the file is."""
    try:
        info = cms.ContentInfo.load(der)
        signed = info["content"]
        eci = signed["encap_content_info"]
        if eci["content_type"].dotted != MASTER_LIST_OID:
            raise TrustStoreError("a CMS file that is not a CSCA master list")
        content = eci["content"]
        raw = content.contents if hasattr(content, "contents") else bytes(content)
        ml = CscaMasterList.load(raw)
        return [x509.load_der_x509_certificate(c.dump()) for c in ml["cert_list"]]
    except TrustStoreError:
        raise
    except Exception as exc:
        raise TrustStoreError(f"not a readable master list ({type(exc).__name__})") from exc


def load_trust_store(path: str | Path) -> TrustStore:
    """Every CSCA in a folder (certificates and master lists) or in one file."""
    p = Path(path)
    files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
    if not p.exists():
        raise TrustStoreError(f"the trust store {p} does not exist")
    certs: list[x509.Certificate] = []
    for f in files:
        if p.is_dir() and f.suffix.lower() not in CERT_SUFFIXES + LIST_SUFFIXES:
            continue
        try:
            if f.stat().st_size > MAX_TRUST_FILE:
                raise TrustStoreError("too large")
            certs.extend(_certs_from_bytes(f.read_bytes()))
        except (OSError, ValueError) as exc:
            if not p.is_dir():
                raise TrustStoreError(f"{f.name}: {exc}") from exc
            log.warning("trust store: skipping %s (%s)", f.name, exc)
    return TrustStore(tuple(certs), str(p))
