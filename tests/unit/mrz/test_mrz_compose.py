"""compose_mrz gives the exact ICAO 9303 specimen lines, and every digit is computed."""

from __future__ import annotations

import pytest
from mrz_helpers import cd

from desktop_app.core.mrz import MrzData, compose_mrz

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
MRVA = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<")
MRVB = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<")
DE_ID = ("IDD<<T220001293<<<<<<<<<<<<<<<", "6408125<2010315D<<<<<<<<<<<<<4", "MUSTERMANN<<ERIKA<<<<<<<<<<<<<")
FR_ID = ("IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013", "0506932020438CHRISTIANE<<NI2906209F3")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (MrzData("TD3", "P", "UTO", "Eriksson", "Anna Maria", "L898902C3", "UTO", "740812", "F", "120415", "ZE184226B"), TD3),
        (MrzData("TD1", "I", "UTO", "Eriksson", "Anna Maria", "D23145890", "UTO", "740812", "F", "120415"), TD1),
        (MrzData("TD2", "I", "UTO", "Eriksson", "Anna Maria", "D23145890", "UTO", "740812", "F", "120415"), TD2),
        (MrzData("MRVA", "V", "UTO", "Eriksson", "Anna Maria", "L8988901C", "XXX", "400907", "F", "961210", "6ZE184226B"), MRVA),
        (MrzData("MRVB", "V", "UTO", "Eriksson", "Anna Maria", "L8988901C", "XXX", "400907", "F", "961210"), MRVB),
        (MrzData("TD1", "ID", "D", "Mustermann", "Erika", "T22000129", "D", "640812", "<", "201031"), DE_ID),
        (MrzData("FRID", "ID", "FRA", "Douel", "Christiane Nicole", "050693202043", "FRA", "290620", "F", "", "932013"), FR_ID),
    ],
    ids=["TD3", "TD1", "TD2", "MRVA", "MRVB", "DE-ID", "FR-ID"],
)  # fmt: skip
def test_specimens_compose_exactly(data: MrzData, expected: tuple[str, ...]) -> None:
    assert compose_mrz(data) == expected


def test_specimen_check_digits_are_what_checksum_computes() -> None:
    l2 = TD3[1]
    assert cd(l2[0:9]) == l2[9] == "6"
    assert cd(l2[13:19]) == l2[19] == "2"
    assert cd(l2[21:27]) == l2[27] == "9"
    assert cd(l2[28:42]) == l2[42] == "1"
    assert cd(l2[0:10] + l2[13:20] + l2[21:43]) == l2[43] == "0"
    a, b, _ = TD1
    assert cd(a[5:14]) == a[14] == "7"
    assert cd(a[5:30] + b[0:7] + b[8:15] + b[18:29]) == b[29] == "6"
    f1, f2 = FR_ID
    assert cd(f2[0:12]) == f2[12] == "8"
    assert cd(f2[27:33]) == f2[33] == "9"
    assert cd(f1 + f2[:35]) == f2[35] == "3"


def test_long_document_number_td1_icao_example() -> None:
    lines = compose_mrz(
        MrzData("TD1", "I", "UTO", "Eriksson", "Anna Maria", "D23145890734", "UTO", "740812", "F", "120415")
    )
    assert lines[0] == "I<UTOD23145890<7349<<<<<<<<<<<"
    assert cd("D23145890734") == "9"


def test_long_document_number_td3_continues_in_personal_number() -> None:
    lines = compose_mrz(
        MrzData("TD3", "P", "NLD", "De Vries", "Jan", "XN01234567", "NLD", "800101", "M", "300101", "AB12")
    )
    assert lines[1][:10] == "XN0123456<"
    assert lines[1][28:42] == "7" + cd("XN01234567") + "<AB12<<<<<<<"
    assert lines[1][42] == cd(lines[1][28:42])


def test_names_are_transliterated_and_truncated() -> None:
    lines = compose_mrz(
        MrzData(
            "TD1",
            "ID",
            "D",
            "Müller-Lüdenscheidt",
            "Hans-Jürgen Ottokar",
            "T01000322",
            "D",
            "700101",
            "M",
            "300101",
        )
    )
    assert lines[2] == "MUELLER<LUEDENSCHEIDT<<HANS<JU"
    lines = compose_mrz(
        MrzData("TD3", "P", "IRL", "O'Brien", "Seán", "X1234567", "IRL", "700101", "F", "300101")
    )
    assert lines[0].startswith("P<IRLOBRIEN<<SEAN<<<")
