#!/usr/bin/env python3
"""A virtual e-passport for tests and for anyone without a reader.

It builds EF.COM, DG1, DG2 and EF.SOD (signed by a test Document Signer under a test CSCA,
both made with ``cryptography``), answers BAC and secure messaging as an ICAO 9303 chip
does, and serves the chip through vsmartcard's vpcd virtual reader (Debian
``vsmartcard-vpcd``, a pcscd driver), so a client goes through the real PC/SC stack:

    pcscd -f -a &                      # lists "Virtual PCD 00 00"
    scripts/virtual_passport.py --identity me.json --pki /tmp/pki
    passport-desk chip --json --mrz-file mrz.txt --trust /tmp/pki/csca.pem

``--identity FILE.json`` holds ``{"mrz": [...], "portrait": "optional path"}``; ``--pki DIR``
writes ``DIR/csca.pem`` and keeps the Document Signer there, reusing both when they exist;
``--tamper DG1|DG2|SOD`` changes one byte after signing. It runs until killed.

The card logic (:class:`VirtualPassport`) is importable: the tests drive it directly too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.chip import bac, crypto, portrait, tlv
from desktop_app.core.chip import pace as pace_mod
from desktop_app.core.chip.apdu import Command, Response, parse_command
from desktop_app.core.chip.channel import CARD_ACCESS
from desktop_app.core.chip.passive import LDS_SECURITY_OBJECT_OID, LdsSecurityObject
from desktop_app.core.chip.sm import SmKeys

VPCD_PORT = 35963


def _atr(historical: bytes) -> bytes:
    """T=1 ATR with these historical bytes and its check byte."""
    body = bytes((0x80 | len(historical), 0x80, 0x01)) + historical
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes((tck,))


ATR = _atr(bytes.fromhex("8073000040"))
"""Historical bytes with card capabilities announcing extended Lc/Le."""
ATR_SHORT = _atr(bytes.fromhex("8073000000"))
ICAO_AID = bytes.fromhex("A0000002471001")
FIDS = {"COM": 0x011E, "DG1": 0x0101, "DG2": 0x0102, "SOD": 0x011D}
SPECIMEN_MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


# --- PKI -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Pki:
    csca: x509.Certificate
    ds: x509.Certificate
    ds_key: ec.EllipticCurvePrivateKey


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "UT"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey,
          signer: ec.EllipticCurvePrivateKey, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650 if ca else 1825))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
    )
    return builder.sign(signer, hashes.SHA256())


def make_pki(directory: Path | None = None, *, csca_name: str = "Utopia Test CSCA") -> Pki:
    """A CSCA and a Document Signer; in ``directory``, reused when already there."""
    if directory is not None:
        files = [directory / n for n in ("csca.pem", "csca_key.pem", "ds.pem", "ds_key.pem")]
        if all(f.exists() for f in files):
            ds_key = serialization.load_pem_private_key(files[3].read_bytes(), None)
            assert isinstance(ds_key, ec.EllipticCurvePrivateKey)
            return Pki(x509.load_pem_x509_certificate(files[0].read_bytes()),
                       x509.load_pem_x509_certificate(files[2].read_bytes()), ds_key)
    csca_key = ec.generate_private_key(ec.SECP256R1())
    ds_key = ec.generate_private_key(ec.SECP256R1())
    csca = _cert(_name(csca_name), _name(csca_name), csca_key, csca_key, ca=True)
    ds = _cert(_name("Utopia Test Document Signer"), csca.subject, ds_key, csca_key, ca=False)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        pem = serialization.Encoding.PEM
        key_format = (pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        (directory / "csca.pem").write_bytes(csca.public_bytes(pem))
        (directory / "csca_key.pem").write_bytes(csca_key.private_bytes(*key_format))
        (directory / "ds.pem").write_bytes(ds.public_bytes(pem))
        (directory / "ds_key.pem").write_bytes(ds_key.private_bytes(*key_format))
        (directory / "masterlist.ml").write_bytes(master_list([csca], csca, csca_key))
    return Pki(csca, ds, ds_key)


def master_list(cscas: Sequence[x509.Certificate], signer: x509.Certificate,
                signer_key: ec.EllipticCurvePrivateKey) -> bytes:
    """A CSCA master list as ICAO publishes them: CMS SignedData over a CscaMasterList
    (signed here by the test CSCA itself, standing in for a master list signer)."""
    from desktop_app.core.chip.trust_store import MASTER_LIST_OID, CscaMasterList

    der = serialization.Encoding.DER
    content = CscaMasterList({"version": 0, "cert_list": [asn1_x509.Certificate.load(c.public_bytes(der)) for c in cscas]}).dump()
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": [MASTER_LIST_OID]},
        {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
    ])
    cert = asn1_x509.Certificate.load(signer.public_bytes(der))
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": MASTER_LIST_OID, "content": content},
        "certificates": [cert],
        "signer_infos": [{
            "version": "v1",
            "sid": {"issuer_and_serial_number": {"issuer": cert.issuer, "serial_number": cert.serial_number}},
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signer_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256())),
        }],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


# --- LDS files -----------------------------------------------------------------------

def default_portrait(target_bytes: int = 21_000) -> bytes:
    """A synthetic portrait JPEG of about ``target_bytes`` (noise keeps JPEG from shrinking it)."""
    rng = np.random.default_rng(7)
    img = np.full((440, 330, 3), 200, np.uint8)
    cv2.ellipse(img, (165, 200), (90, 125), 0, 0, 360, (150, 170, 210), -1)
    cv2.circle(img, (130, 180), 10, (60, 40, 30), -1)
    cv2.circle(img, (200, 180), 10, (60, 40, 30), -1)
    cv2.ellipse(img, (165, 260), (40, 15), 0, 0, 180, (80, 60, 150), 3)
    for quality in range(95, 20, -5):
        noisy = np.clip(img.astype(np.int16) + rng.integers(-16, 17, img.shape), 0, 255).astype(np.uint8)
        ok, buf = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok and len(buf) <= target_bytes:
            return bytes(buf)
    return bytes(buf)


def build_sod(groups: dict[int, bytes], pki: Pki) -> bytes:
    lso = LdsSecurityObject({
        "version": 0,
        "hash_algorithm": {"algorithm": "sha256"},
        "data_group_hash_values": [
            {"data_group_number": n, "data_group_hash_value": hashlib.sha256(v).digest()} for n, v in sorted(groups.items())
        ],
    }).dump()
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": [LDS_SECURITY_OBJECT_OID]},
        {"type": "message_digest", "values": [hashlib.sha256(lso).digest()]},
    ])
    signature = pki.ds_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
    ds = asn1_x509.Certificate.load(pki.ds.public_bytes(serialization.Encoding.DER))
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": LDS_SECURITY_OBJECT_OID, "content": lso},
        "certificates": [ds],
        "signer_infos": [{
            "version": "v1",
            "sid": {"issuer_and_serial_number": {"issuer": ds.issuer, "serial_number": ds.serial_number}},
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        }],
    })
    info = cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
    return tlv.encode(0x77, info)


def build_files(mrz: Sequence[str], portrait_jpeg: bytes, pki: Pki, tamper: str | None = None) -> dict[int, bytes]:
    """EF.COM, DG1, DG2, EF.SOD; ``tamper`` changes one byte of a file after signing."""
    text = "".join(mrz).encode("ascii")
    com = tlv.encode(0x60, tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, b"\x61\x75"))
    dg1 = tlv.encode(0x61, tlv.encode(0x5F1F, text))
    image = cv2.imdecode(np.frombuffer(portrait_jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("the portrait is not a readable image")
    fmt: portrait.ImageFormat = "jpeg2000" if portrait_jpeg[:4] in (b"\x00\x00\x00\x0c", b"\xffO\xffQ") else "jpeg"
    dg2 = portrait.dg2(fmt, portrait_jpeg, image.shape[1], image.shape[0])
    sod = build_sod({1: dg1, 2: dg2}, pki)
    files = {FIDS["COM"]: com, FIDS["DG1"]: dg1, FIDS["DG2"]: dg2, FIDS["SOD"]: sod}
    if tamper:
        fid = FIDS[tamper.upper()]
        data = bytearray(files[fid])
        # DG1: a letter of the name; DG2: a byte inside the image; SOD: the signature's last byte.
        at = {"DG1": 12, "DG2": len(data) - 200, "SOD": len(data) - 1}[tamper.upper()]
        data[at] = (data[at] + 1) & 0xFF if tamper.upper() != "DG1" else (ord("A") if data[at] != ord("A") else ord("B"))
        files[fid] = bytes(data)
    return files


# --- the chip ------------------------------------------------------------------------

class VirtualPassport:
    """An ICAO 9303 chip with BAC and, when ``pace`` names a protocol, PACE-ECDH-GM:
    ``respond(command APDU) -> response APDU``."""

    def __init__(self, mrz: Sequence[str], files: dict[int, bytes], *, extended: bool = True,
                 pace: str | None = None, pace_parameters: int = 12,
                 random: bac.RandomSource = os.urandom) -> None:
        self.key = bac.MrzKey.from_mrz_lines(mrz)
        self.k_enc, self.k_mac = bac.keys_from_mrz(self.key)
        self.files = dict(files)
        self.pace_info = None
        if pace is not None:
            oid = {"3des": ".1", "aes128": ".2", "aes192": ".3", "aes256": ".4"}[pace]
            self.pace_info = pace_mod.PaceInfo(pace_mod.PACE_ECDH_GM + oid, 2, pace_parameters)
            self.files[CARD_ACCESS] = pace_mod.card_access([self.pace_info])
        self.atr = ATR if extended else ATR_SHORT
        self.extended = extended
        self.random = random
        self.commands = 0
        self.reset()

    def reset(self) -> None:
        self.app_selected = False
        self.rnd_ic: bytes | None = None
        self.sm: SmKeys | None = None
        self.current: bytes | None = None
        self.pace_step = -1
        self.pace_state: dict[str, object] = {}

    def respond(self, raw: bytes) -> bytes:
        self.commands += 1
        try:
            cmd = parse_command(raw)
        except ValueError:
            return Response(b"", 0x6700).encode()
        if cmd.cla & 0x0C:
            return self._secure(cmd)
        self.sm = None  # a plain command ends the secure session
        return self._plain(cmd).encode()

    def _plain(self, cmd: Command) -> Response:
        if cmd.ins == 0xA4 and cmd.p1 == 0x04:
            self.app_selected = cmd.data == ICAO_AID
            return Response(b"", 0x9000 if self.app_selected else 0x6A82)
        if cmd.ins == 0xA4 and cmd.p1 == 0x02 and not self.app_selected:
            # The master file holds only EF.CardAccess (when PACE is offered).
            if cmd.data == CARD_ACCESS.to_bytes(2, "big") and CARD_ACCESS in self.files:
                self.current = self.files[CARD_ACCESS]
                return Response(b"", 0x9000)
            return Response(b"", 0x6A82)
        if cmd.ins == 0xB0 and not self.app_selected and self.current is not None:
            return self._file_command(cmd)
        if cmd.ins == 0x22 and self.pace_info is not None:
            return self._set_at(cmd)
        if cmd.ins == 0x86 and self.pace_info is not None:
            return self._general_authenticate(cmd)
        if not self.app_selected:
            return Response(b"", 0x6985)
        if cmd.ins == 0x84:
            self.rnd_ic = self.random(8)
            return Response(self.rnd_ic, 0x9000)
        if cmd.ins == 0x82:
            return self._external_authenticate(cmd.data)
        if cmd.ins in (0xA4, 0xB0):
            return Response(b"", 0x6982)  # access control first
        return Response(b"", 0x6D00)

    def _external_authenticate(self, data: bytes) -> Response:
        if self.rnd_ic is None or len(data) != 40:
            return Response(b"", 0x6985 if self.rnd_ic is None else 0x6700)
        e_ifd, m_ifd = data[:32], data[32:]
        if not hmac.compare_digest(crypto.retail_mac(self.k_mac, e_ifd), m_ifd):
            self.rnd_ic = None
            return Response(b"", 0x6300)
        plain = crypto.decrypt(self.k_enc, e_ifd)
        rnd_ifd, rnd_ic, k_ifd = plain[:8], plain[8:16], plain[16:32]
        if rnd_ic != self.rnd_ic:
            return Response(b"", 0x6300)
        k_ic = self.random(16)
        e_ic = crypto.encrypt(self.k_enc, rnd_ic + rnd_ifd + k_ic)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        self.sm = SmKeys(crypto.derive_key(seed, 1), crypto.derive_key(seed, 2), rnd_ic[4:] + rnd_ifd[4:])
        self.rnd_ic = None
        return Response(e_ic + crypto.retail_mac(self.k_mac, e_ic), 0x9000)

    # -- PACE (the chip's side) --------------------------------------------------------
    def _set_at(self, cmd: Command) -> Response:
        info = self.pace_info
        assert info is not None
        try:
            objects = {o.tag: o.value for o in tlv.children(cmd.data)}
        except tlv.TlvError:
            return Response(b"", 0x6A80)
        if cmd.p1 != 0xC1 or cmd.p2 != 0xA4 or objects.get(0x80) != info.oid_bytes or objects.get(0x83) != b"\x01":
            return Response(b"", 0x6A80)
        self.pace_step = 0
        self.pace_state = {}
        return Response(b"", 0x9000)

    def _general_authenticate(self, cmd: Command) -> Response:
        info = self.pace_info
        assert info is not None
        curve = info.curve
        st = self.pace_state
        try:
            data = tlv.find(cmd.data, 0x7C) if cmd.data else b""
            if self.pace_step == 0:
                nonce = self.random(16 if info.cipher == "aes" else 8)
                st["nonce"] = nonce
                reply = tlv.encode(0x80, pace_mod.encrypt_nonce(pace_mod.password_key(self.key, info), nonce, info))
            elif self.pace_step == 1:
                pk_map = curve.decode(tlv.find(data, 0x81))
                sk = pace_mod.random_scalar(curve, self.random)
                st["g"] = pace_mod.mapped_generator(curve, st["nonce"], curve.multiply(sk, pk_map))  # type: ignore[arg-type]
                reply = tlv.encode(0x82, curve.encode(curve.multiply(sk, curve.g)))
            elif self.pace_step == 2:
                pk_t = tlv.find(data, 0x83)
                sk = pace_mod.random_scalar(curve, self.random)
                pk_ic = curve.encode(curve.multiply(sk, st["g"]))  # type: ignore[arg-type]
                shared = curve.multiply(sk, curve.decode(pk_t))
                assert shared is not None
                secret = shared[0].to_bytes(curve.size, "big")
                st.update(pk_t=pk_t, pk_ic=pk_ic,
                          ks_enc=pace_mod.session_key(secret, 1, info), ks_mac=pace_mod.session_key(secret, 2, info))
                reply = tlv.encode(0x84, pk_ic)
            elif self.pace_step == 3:
                ks_mac = st["ks_mac"]
                assert isinstance(ks_mac, bytes)
                expected = pace_mod.token(ks_mac, st["pk_ic"], info)  # type: ignore[arg-type]
                if not hmac.compare_digest(tlv.find(data, 0x85), expected):
                    self.pace_step = -1
                    return Response(b"", 0x6300)
                reply = tlv.encode(0x86, pace_mod.token(ks_mac, st["pk_t"], info))  # type: ignore[arg-type]
                ks_enc = st["ks_enc"]
                assert isinstance(ks_enc, bytes)
                self.sm = SmKeys(ks_enc, ks_mac, bytes(16 if info.cipher == "aes" else 8), info.cipher)
                self.pace_step = -1
                return Response(tlv.encode(0x7C, reply), 0x9000)
            else:
                return Response(b"", 0x6985)
        except (tlv.TlvError, ValueError, KeyError):
            self.pace_step = -1
            return Response(b"", 0x6A80)
        self.pace_step += 1
        return Response(tlv.encode(0x7C, reply), 0x9000)

    # -- secure messaging (the chip's side) --------------------------------------------
    def _secure(self, cmd: Command) -> bytes:
        sm = self.sm
        if sm is None:
            return Response(b"", 0x6987).encode()
        sm.next_ssc()
        try:
            objects = {o.tag: o.value for o in tlv.children(cmd.data)}
        except tlv.TlvError:
            self.sm = None
            return Response(b"", 0x6988).encode()
        mac_input = b"".join(tlv.encode(t, objects[t]) for t in (0x87, 0x97) if t in objects)
        header = bytes((cmd.cla, cmd.ins, cmd.p1, cmd.p2))
        if not hmac.compare_digest(sm.mac(sm.pad(header) + mac_input), objects.get(0x8E, b"")):
            self.sm = None  # a chip drops its session keys on a bad MAC
            return Response(b"", 0x6988).encode()
        data = sm.decrypt(objects[0x87][1:]) if 0x87 in objects else b""
        le = int.from_bytes(objects[0x97], "big") if 0x97 in objects else None
        if le == 0:
            le = 65536 if len(objects[0x97]) == 2 else 256
        inner = self._inner(Command(cmd.cla & ~0x0C & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, le))
        sm.next_ssc()
        body = b""
        if inner.data:
            body += tlv.encode(0x87, b"\x01" + sm.encrypt(inner.data))
        body += tlv.encode(0x99, inner.sw.to_bytes(2, "big"))
        body += tlv.encode(0x8E, sm.mac(body))
        return Response(body, 0x9000).encode()

    def _inner(self, cmd: Command) -> Response:
        if cmd.ins == 0xA4 and cmd.p1 == 0x04:
            self.app_selected = cmd.data == ICAO_AID
            return Response(b"", 0x9000 if self.app_selected else 0x6A82)
        if not self.app_selected:
            return Response(b"", 0x6985)
        return self._file_command(cmd)

    def _file_command(self, cmd: Command) -> Response:
        if cmd.ins == 0xA4 and cmd.p1 == 0x02:
            fid = int.from_bytes(cmd.data, "big") if len(cmd.data) == 2 else -1
            if fid not in self.files or fid == CARD_ACCESS:
                return Response(b"", 0x6A82)
            self.current = self.files[fid]
            return Response(b"", 0x9000)
        if cmd.ins == 0xB0:
            if self.current is None:
                return Response(b"", 0x6986)
            offset = (cmd.p1 << 8) | cmd.p2
            length = cmd.le or 256
            if length > 256 and not self.extended:
                return Response(b"", 0x6700)
            if offset >= len(self.current):
                return Response(b"", 0x6B00)
            return Response(self.current[offset : offset + length], 0x9000)
        return Response(b"", 0x6D00)


# --- vpcd ----------------------------------------------------------------------------

def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        # vpcd writes the length and the APDU separately; acknowledging at once keeps its
        # Nagle wait from meeting our delayed ACK (40 ms per APDU otherwise, on Linux).
        if hasattr(socket, "TCP_QUICKACK"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        part = sock.recv(n - len(buf))
        if not part:
            raise ConnectionError("vpcd closed the connection")
        buf += part
    return buf


def serve(card: VirtualPassport, host: str = "localhost", port: int = VPCD_PORT,
          remove_after: int | None = None) -> None:
    """Serve the chip to vpcd until killed (reconnecting when pcscd restarts)."""
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=5)
        except OSError:
            time.sleep(0.2)
            continue
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                size = int.from_bytes(_recv_exact(sock, 2), "big")
                msg = _recv_exact(sock, size)
                if size == 1:
                    if msg[0] in (0, 2):  # power off, reset
                        card.reset()
                    elif msg[0] == 4:
                        sock.sendall(len(card.atr).to_bytes(2, "big") + card.atr)
                    continue
                if remove_after is not None and card.commands >= remove_after:
                    sock.close()  # the document leaves the reader
                    print("virtual passport: removed from the reader", file=sys.stderr, flush=True)
                    while True:
                        time.sleep(3600)
                answer = card.respond(msg)
                sock.sendall(len(answer).to_bytes(2, "big") + answer)
        except (ConnectionError, OSError):
            sock.close()
            time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--identity", type=Path, help='JSON: {"mrz": [...], "portrait": "optional path"}')
    ap.add_argument("--pki", type=Path, help="folder for csca.pem and the Document Signer (reused when there)")
    ap.add_argument("--tamper", choices=["DG1", "DG2", "SOD"], help="change one byte of this file after signing")
    ap.add_argument("--port", type=int, default=VPCD_PORT, help="vpcd's port (35963 is the first virtual reader)")
    ap.add_argument("--host", default="localhost")
    ap.add_argument("--short-only", action="store_true", help="announce no extended-length support")
    ap.add_argument("--pace", choices=["3des", "aes128", "aes192", "aes256"],
                    help="offer PACE-ECDH-GM with this cipher in EF.CardAccess (BAC stays available)")
    ap.add_argument("--pace-parameters", type=int, default=12, choices=[12, 13],
                    help="PACE domain parameters: 12 NIST P-256, 13 brainpoolP256r1")
    ap.add_argument("--remove-after", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    mrz: Sequence[str] = SPECIMEN_MRZ
    portrait_bytes = None
    if args.identity:
        identity = json.loads(args.identity.read_text(encoding="utf-8"))
        mrz = identity["mrz"]
        if identity.get("portrait"):
            portrait_bytes = (args.identity.parent / identity["portrait"]).read_bytes()
    pki = make_pki(args.pki)
    files = build_files(mrz, portrait_bytes or default_portrait(), pki, args.tamper)
    card = VirtualPassport(mrz, files, extended=not args.short_only, pace=args.pace,
                           pace_parameters=args.pace_parameters)
    print(f"virtual passport: serving {mrz[-1][:9].rstrip('<')} on vpcd {args.host}:{args.port}", file=sys.stderr, flush=True)
    serve(card, args.host, args.port, args.remove_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
