"""Elliptic-curve arithmetic for PACE's generic mapping (ICAO 9303 part 11, 4.4.3.3.1).

The mapped generator ``G' = s*G + H`` is a point no library key type accepts as a base, so
the few operations PACE needs (scalar multiplication on any point, addition, encoding)
are here, on the standardized domain parameters PACE names by number. This is used for the
protocol's ephemeral keys only; certificates and signatures stay with ``cryptography``.
Not constant-time: the secrets live for one read on the operator's machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

Point = tuple[int, int] | None
"""Affine point; None is the point at infinity."""


@dataclass(frozen=True, slots=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    g: tuple[int, int]
    n: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def contains(self, pt: Point) -> bool:
        if pt is None:
            return False
        x, y = pt
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    def add(self, p1: Point, p2: Point) -> Point:
        if p1 is None:
            return p2
        if p2 is None:
            return p1
        (x1, y1), (x2, y2) = p1, p2
        if x1 == x2 and (y1 + y2) % self.p == 0:
            return None
        if p1 == p2:
            lam = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p)
        else:
            lam = (y2 - y1) * pow(x2 - x1, -1, self.p)
        lam %= self.p
        x3 = (lam * lam - x1 - x2) % self.p
        return x3, (lam * (x1 - x3) - y1) % self.p

    def multiply(self, k: int, pt: Point) -> Point:
        """``k * pt`` (Jacobian coordinates inside, for speed)."""
        if pt is None or k % self.n == 0:
            return None
        k %= self.n
        result: tuple[int, int, int] | None = None
        base = (pt[0], pt[1], 1)
        for bit in bin(k)[2:]:
            result = self._double_j(result)
            if bit == "1":
                result = self._add_j(result, base)
        return self._affine(result)

    # Jacobian helpers: (X, Y, Z) stands for (X/Z^2, Y/Z^3).
    def _double_j(self, q: tuple[int, int, int] | None) -> tuple[int, int, int] | None:
        if q is None:
            return None
        x, y, z = q
        p = self.p
        if y == 0:
            return None
        ysq = y * y % p
        s = 4 * x * ysq % p
        m = (3 * x * x + self.a * pow(z, 4, p)) % p
        nx = (m * m - 2 * s) % p
        ny = (m * (s - nx) - 8 * ysq * ysq) % p
        return nx, ny, 2 * y * z % p

    def _add_j(self, q: tuple[int, int, int] | None, r: tuple[int, int, int]) -> tuple[int, int, int] | None:
        if q is None:
            return r
        p = self.p
        x1, y1, z1 = q
        x2, y2, z2 = r
        z1s, z2s = z1 * z1 % p, z2 * z2 % p
        u1, u2 = x1 * z2s % p, x2 * z1s % p
        s1, s2 = y1 * z2s * z2 % p, y2 * z1s * z1 % p
        if u1 == u2:
            return self._double_j(q) if s1 == s2 else None
        h, rr = (u2 - u1) % p, (s2 - s1) % p
        h2 = h * h % p
        h3 = h * h2 % p
        u1h2 = u1 * h2 % p
        nx = (rr * rr - h3 - 2 * u1h2) % p
        ny = (rr * (u1h2 - nx) - s1 * h3) % p
        return nx, ny, h * z1 * z2 % p

    def _affine(self, q: tuple[int, int, int] | None) -> Point:
        if q is None or q[2] == 0:
            return None
        zi = pow(q[2], -1, self.p)
        zi2 = zi * zi % self.p
        return q[0] * zi2 % self.p, q[1] * zi2 * zi % self.p

    def encode(self, pt: Point) -> bytes:
        """Uncompressed: 04 || X || Y."""
        if pt is None:
            raise ValueError("the point at infinity has no encoding")
        return b"\x04" + pt[0].to_bytes(self.size, "big") + pt[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> tuple[int, int]:
        if len(data) != 1 + 2 * self.size or data[0] != 4:
            raise ValueError("not an uncompressed point of this curve")
        pt = (int.from_bytes(data[1 : 1 + self.size], "big"), int.from_bytes(data[1 + self.size :], "big"))
        if not self.contains(pt):
            raise ValueError("the point is not on the curve")
        return pt


def _h(s: str) -> int:
    return int(s.replace(" ", ""), 16)


P256: Final = Curve(
    "secp256r1",
    _h("ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff ffffffff"),
    _h("ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffc"),
    _h("5ac635d8 aa3a93e7 b3ebbd55 769886bc 651d06b0 cc53b0f6 3bce3c3e 27d2604b"),
    (_h("6b17d1f2 e12c4247 f8bce6e5 63a440f2 77037d81 2deb33a0 f4a13945 d898c296"),
     _h("4fe342e2 fe1a7f9b 8ee7eb4a 7c0f9e16 2bce3357 6b315ece cbb64068 37bf51f5")),
    _h("ffffffff 00000000 ffffffff ffffffff bce6faad a7179e84 f3b9cac2 fc632551"),
)
BRAINPOOL_P256R1: Final = Curve(
    "brainpoolP256r1",
    _h("A9FB57DB A1EEA9BC 3E660A90 9D838D72 6E3BF623 D5262028 2013481D 1F6E5377"),
    _h("7D5A0975 FC2C3057 EEF67530 417AFFE7 FB8055C1 26DC5C6C E94A4B44 F330B5D9"),
    _h("26DC5C6C E94A4B44 F330B5D9 BBD77CBF 95841629 5CF7E1CE 6BCCDC18 FF8C07B6"),
    (_h("8BD2AEB9 CB7E57CB 2C4B482F FC81B7AF B9DE27E1 E3BD23C2 3A4453BD 9ACE3262"),
     _h("547EF835 C3DAC4FD 97F8461A 14611DC9 C2774513 2DED8E54 5C1D54C7 2F046997")),
    _h("A9FB57DB A1EEA9BC 3E660A90 9D838D71 8C397AA3 B561A6F7 901E0E82 974856A7"),
)

STANDARD_PARAMETERS: Final = {12: P256, 13: BRAINPOOL_P256R1}
"""PACE standardized domain parameter ids (ICAO 9303 part 11, table 6) this reader knows."""
