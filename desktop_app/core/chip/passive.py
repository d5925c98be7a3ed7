"""Passive authentication: the data groups are the ones the issuing state signed.

1. each data group read hashes to its value in the LDSSecurityObject of EF.SOD;
2. the SignedData's signer info is signed by the Document Signer certificate it carries;
3. that certificate is issued (signature and validity) by a CSCA in the trust store.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from desktop_app.core.chip import tlv
from desktop_app.core.chip.trust_store import TrustStore

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
PaStatus = Literal["valid", "invalid", "untrusted", "not_checked"]
DgStatus = Literal["valid", "invalid"]


class DataGroupHash(core.Sequence):  # type: ignore[misc]
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]  # noqa: RUF012


class DataGroupHashValues(core.SequenceOf):  # type: ignore[misc]
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):  # type: ignore[misc]
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]  # noqa: RUF012


class LdsSecurityObject(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class PassiveAuthentication:
    status: PaStatus
    reason: str | None = None
    data_groups: Mapping[str, DgStatus] = field(default_factory=dict)
    document_signer: str | None = None
    csca: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_groups", MappingProxyType(dict(self.data_groups)))

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "reason": self.reason,
            "data_groups": dict(self.data_groups),
            "document_signer": self.document_signer,
            "csca": self.csca,
        }


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
           "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def _hash(name: str) -> hashes.HashAlgorithm:
    algorithm = _HASHES.get(name)
    if algorithm is None:
        raise ValueError(f"unsupported hash {name}")
    return algorithm()


def _verify(public_key: object, signature: bytes, data: bytes, algorithm: str, hash_name: str,
            pss_salt: int | None = None) -> None:
    h = _hash(hash_name)
    if isinstance(public_key, rsa.RSAPublicKey):
        pad: padding.AsymmetricPadding
        if algorithm == "rsassa_pss":
            pad = padding.PSS(mgf=padding.MGF1(h), salt_length=pss_salt if pss_salt is not None else h.digest_size)
        else:
            pad = padding.PKCS1v15()
        public_key.verify(signature, data, pad, h)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(h))
    else:
        raise ValueError("unsupported signer key type")


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def check(
    sod: bytes, data_groups: Mapping[str, bytes], trust: TrustStore | None, *, now: datetime | None = None
) -> PassiveAuthentication:
    """Passive authentication of the data groups read, with their status each."""
    try:
        signed, lso = _parse_sod(sod)
    except ValueError as exc:
        return PassiveAuthentication("invalid", f"EF.SOD is not a readable security object: {exc}")
    hash_name = lso["hash_algorithm"]["algorithm"].native
    expected = {int(v["data_group_number"].native): bytes(v["data_group_hash_value"].native)
                for v in lso["data_group_hash_values"]}
    statuses: dict[str, DgStatus] = {}
    for name, raw in data_groups.items():
        number = int(name.removeprefix("DG"))
        try:
            digest = hashlib.new(hash_name, raw).digest()
        except ValueError:
            return PassiveAuthentication("invalid", f"EF.SOD uses an unknown hash ({hash_name}).")
        statuses[name] = "valid" if hmac.compare_digest(digest, expected.get(number, b"")) else "invalid"
    bad = [n for n, s in statuses.items() if s == "invalid"]
    try:
        ds_cert = _signer_certificate(signed)
        _check_signer_info(signed, ds_cert)
    except (ValueError, InvalidSignature) as exc:
        reason = "the security object's signature does not verify by its Document Signer"
        if not isinstance(exc, InvalidSignature):
            reason += f" ({exc})"
        return PassiveAuthentication("invalid", reason, statuses)
    ds_name = _subject(ds_cert)
    if bad:
        verb = "does" if len(bad) == 1 else "do"
        reason = f"{', '.join(bad)} {verb} not match the hash the issuing state signed"
        return PassiveAuthentication("invalid", reason, statuses, ds_name)
    if trust is None:
        return PassiveAuthentication("untrusted", "no trust store (CSCA folder or master list) is installed", statuses, ds_name)
    csca = _issuer_in(trust, ds_cert, now or datetime.now(UTC))
    if csca is None:
        return PassiveAuthentication(
            "untrusted", f"the Document Signer's issuer ({ds_cert.issuer.rfc4514_string()}) is not a trusted CSCA",
            statuses, ds_name)
    return PassiveAuthentication("valid", None, statuses, ds_name, _subject(csca))


def _parse_sod(sod: bytes) -> tuple[cms.SignedData, LdsSecurityObject]:
    try:
        outer = tlv.read(sod)
        if outer.tag != 0x77:
            raise ValueError("not EF.SOD")
        info = cms.ContentInfo.load(outer.value)
        if info["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed = info["content"]
        eci = signed["encap_content_info"]
        if eci["content_type"].dotted != LDS_SECURITY_OBJECT_OID:
            raise ValueError("not an LDS security object")
        lso = LdsSecurityObject.load(eci["content"].contents)
        lso.native  # noqa: B018  parse everything now, so a broken object fails here
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(type(exc).__name__) from exc
    return signed, lso


def _signer_certificate(signed: cms.SignedData) -> x509.Certificate:
    certs = signed["certificates"]
    if not certs or len(certs) == 0:
        raise ValueError("no Document Signer certificate in EF.SOD")
    if len(signed["signer_infos"]) != 1:
        raise ValueError("EF.SOD must have exactly one signer")
    sid = signed["signer_infos"][0]["sid"]
    for choice in certs:
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.issuer == ias["issuer"] and cert.serial_number == ias["serial_number"].native:
                return x509.load_der_x509_certificate(cert.dump())
        elif cert.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(cert.dump())
    raise ValueError("EF.SOD does not carry its signer's certificate")


def _check_signer_info(signed: cms.SignedData, ds_cert: x509.Certificate) -> None:
    info = signed["signer_infos"][0]
    hash_name = info["digest_algorithm"]["algorithm"].native
    content = signed["encap_content_info"]["content"].contents
    attrs = info["signed_attrs"]
    if not attrs or len(attrs) == 0:
        raise ValueError("no signed attributes")
    digests = [a["values"][0].native for a in attrs if a["type"].native == "message_digest"]
    if len(digests) != 1 or not hmac.compare_digest(digests[0], hashlib.new(hash_name, content).digest()):
        raise ValueError("the signed digest is not the security object's")
    data = b"\x31" + attrs.dump()[1:]  # signed over the SET OF, not the [0] tag
    sig_algo = info["signature_algorithm"]
    algo = sig_algo.signature_algo
    salt = None
    if algo == "rsassa_pss":
        salt = sig_algo["parameters"]["salt_length"].native
    _verify(ds_cert.public_key(), info["signature"].native, data, algo, hash_name, salt)


def _issuer_in(trust: TrustStore, cert: x509.Certificate, now: datetime) -> x509.Certificate | None:
    for csca in trust.issuers_of(cert):
        try:
            cert.verify_directly_issued_by(csca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        if csca.not_valid_before_utc <= cert.not_valid_before_utc <= csca.not_valid_after_utc:
            return csca
    return None
