"""The settings dialog: a form over the typed settings file (no QSettings here)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.settings import Settings, save_settings

log = logging.getLogger(__name__)


def _with_browse(edit: QLineEdit, button_text: str, pick: object, parent: QWidget) -> QWidget:
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    b = QPushButton(button_text, box)
    b.setAccessibleName(f"{button_text} for {edit.accessibleName()}")
    b.clicked.connect(pick)
    row.addWidget(b)
    return box


KEEP_IMAGES_NOTE = (
    "The scan is stored encrypted until the review is approved or rejected, then dropped. "
    "The reviewer sees the document."
)
KEEP_IMAGES_OFF = (
    "Off: no scan is kept, and the reviewer decides from the fields and reasons alone, "
    "without seeing the document."
)
SELF_REVIEW_OFF = "Off (four eyes): another person approves what an operator flagged."
SELF_REVIEW_ON = "On: the same person may approve; the audit trail records each such approval."


class SettingsDialog(QDialog):
    """Edits a copy of the settings; :attr:`saved` holds what was written on OK."""

    def __init__(self, settings: Settings, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.setAccessibleName("Settings")
        self._original = settings
        self._path = path
        self.saved: Settings | None = None

        self.operator = QLineEdit(settings.operator_name, self)
        self.operator.setAccessibleName("Operator name")
        self.workstation = QLineEdit(settings.workstation, self)
        self.workstation.setAccessibleName("Workstation")
        self.database = QLineEdit(settings.database_url, self)
        self.database.setAccessibleName("Database")
        self.database.setPlaceholderText("empty: the local database file")
        self.folder = QLineEdit(settings.watched_folder, self)
        self.folder.setAccessibleName("Watched folder")
        self.folder.setPlaceholderText("empty: no folder is watched")
        self.camera = QLineEdit(settings.camera, self)
        self.camera.setAccessibleName("Camera")
        self.camera.setPlaceholderText("0, 1, ... or rtsp://... (empty: none)")
        self.retention = QSpinBox(self)
        self.retention.setRange(1, 36500)
        self.retention.setSuffix(" days")
        self.retention.setValue(settings.retention_days)
        self.retention.setAccessibleName("Keep records for")
        self.expiry = QSpinBox(self)
        self.expiry.setRange(0, 3650)
        self.expiry.setSuffix(" days")
        self.expiry.setValue(settings.expiry_warning_days)
        self.expiry.setAccessibleName("Warn before expiry")
        self.threads = QSpinBox(self)
        self.threads.setRange(1, 64)
        self.threads.setValue(settings.engine_threads)
        self.threads.setAccessibleName("Engine threads")
        self.timeout = QDoubleSpinBox(self)
        self.timeout.setRange(5.0, 600.0)
        self.timeout.setDecimals(0)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(settings.engine_timeout_s)
        self.timeout.setAccessibleName("Engine time limit")
        self.keep_images = QCheckBox("Keep the scan of flagged documents until reviewed", self)
        self.keep_images.setChecked(settings.keep_images_for_review)
        self.keep_images.setAccessibleName("Keep images for review")
        self.keep_images_note = QLabel(KEEP_IMAGES_NOTE, self)
        self.keep_images_note.setWordWrap(True)
        self.keep_images_note.setObjectName("fieldMeta")
        self.keep_images.toggled.connect(self._update_notes)
        self.self_review = QCheckBox("One-person branch: who flagged a document may approve it", self)
        self.self_review.setChecked(settings.allow_self_review)
        self.self_review.setAccessibleName("Allow approving one's own flagged documents")
        self.self_review_note = QLabel("", self)
        self.self_review_note.setWordWrap(True)
        self.self_review_note.setObjectName("fieldMeta")
        self.self_review.toggled.connect(self._update_notes)
        for note_label in (self.keep_images_note, self.self_review_note):
            # Wide enough that the wrapped note is two lines, never clipped by the form.
            note_label.setMinimumWidth(420)
            note_label.setMinimumHeight(2 * note_label.fontMetrics().lineSpacing() + 2)
        self._update_notes()
        self.read_viz = QCheckBox(
            "Read the visual zone too (slower; fills place of birth, issue date, authority)", self
        )
        self.read_viz.setChecked(settings.read_visual_zone)
        self.read_viz.setAccessibleName("Read the visual zone")
        self.chip_reader = QLineEdit(settings.chip_reader, self)
        self.chip_reader.setAccessibleName("Chip reader")
        self.chip_reader.setPlaceholderText("empty: the first PC/SC reader holding a document")
        self.chip_trust = QLineEdit(settings.chip_trust_store, self)
        self.chip_trust.setAccessibleName("Chip trust store")
        self.chip_trust.setPlaceholderText("CSCA folder or master list (empty: signatures not trusted)")

        # One label column for every group, so the fields line up down the dialog.
        def form(group: QGroupBox, rows: list[tuple[str, QWidget]]) -> None:
            layout = QFormLayout(group)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            for text, widget in rows:
                label = QLabel(text, group)
                label.setMinimumWidth(170)
                # A row holding "edit + Browse…" gives the keyboard mnemonic to its edit.
                buddy = (
                    widget
                    if isinstance(widget, (QLineEdit, QSpinBox, QDoubleSpinBox))
                    else widget.findChild(QLineEdit)
                )
                if text and buddy is not None:
                    label.setBuddy(buddy)
                layout.addRow(label, widget)

        for spin in (self.retention, self.expiry, self.threads, self.timeout):
            spin.setMaximumWidth(160)
        people = QGroupBox("Operator", self)
        form(people, [("&Operator name:", self.operator), ("&Workstation:", self.workstation)])
        intake = QGroupBox("Intake", self)
        form(
            intake,
            [
                ("Watched &folder:", _with_browse(self.folder, "Browse…", self._pick_folder, intake)),
                ("&Camera:", self.camera),
            ],
        )
        data = QGroupBox("Records", self)
        form(
            data,
            [
                ("&Database:", _with_browse(self.database, "File…", self._pick_database, data)),
                ("&Keep records for:", self.retention),
                ("", self.keep_images),
                ("", self.keep_images_note),
                ("", self.self_review),
                ("", self.self_review_note),
                ("Warn &before expiry:", self.expiry),
            ],
        )
        engine = QGroupBox("Reading engine", self)
        form(
            engine,
            [
                ("Engine &threads:", self.threads),
                ("&Time limit per document:", self.timeout),
                ("", self.read_viz),
            ],
        )

        chip = QGroupBox("Passport chip", self)
        form(
            chip,
            [
                ("Chip &reader:", self.chip_reader),
                ("Trust &store:", _with_browse(self.chip_trust, "Browse…", self._pick_trust, chip)),
            ],
        )

        note = QLabel(
            "Changes to the database take effect after a restart; engine changes restart the engine.", self
        )
        note.setWordWrap(True)
        note.setObjectName("fieldMeta")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for w in (people, intake, data, engine, chip):
            layout.addWidget(w)
        layout.addWidget(note)
        # Problems are said here, beside the fields, not in a box over the dialog.
        self.error = QLabel("", self)
        self.error.setObjectName("banner")
        self.error.setProperty("level", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setAccessibleName("Settings problem")
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _update_notes(self) -> None:
        """The consequence of each review setting, said next to it."""
        self.keep_images_note.setText(KEEP_IMAGES_NOTE if self.keep_images.isChecked() else KEEP_IMAGES_OFF)
        self.self_review_note.setText(SELF_REVIEW_ON if self.self_review.isChecked() else SELF_REVIEW_OFF)

    def _pick_folder(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Watched folder", self.folder.text() or str(Path.home()))
        if d:
            self.folder.setText(d)

    def _pick_trust(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "CSCA certificates folder", self.chip_trust.text())
        if d:
            self.chip_trust.setText(d)

    def _pick_database(self) -> None:
        f, _ = QFileDialog.getSaveFileName(
            self,
            "Database file",
            "",
            "SQLite database (*.sqlite3 *.db)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if f:
            self.database.setText(f"sqlite:///{f}")

    def values(self) -> Settings:
        return replace(
            self._original,
            operator_name=self.operator.text().strip() or self._original.operator_name,
            workstation=self.workstation.text().strip() or self._original.workstation,
            database_url=self.database.text().strip(),
            watched_folder=self.folder.text().strip(),
            camera=self.camera.text().strip(),
            retention_days=self.retention.value(),
            expiry_warning_days=self.expiry.value(),
            engine_threads=self.threads.value(),
            engine_timeout_s=float(self.timeout.value()),
            keep_images_for_review=self.keep_images.isChecked(),
            allow_self_review=self.self_review.isChecked(),
            read_visual_zone=self.read_viz.isChecked(),
            chip_reader=self.chip_reader.text().strip(),
            chip_trust_store=self.chip_trust.text().strip(),
        ).validated()

    def accept(self) -> None:
        new = self.values()
        if new.watched_folder and not Path(new.watched_folder).is_dir():
            self._problem(f"The watched folder {new.watched_folder} does not exist.", self.folder)
            return
        try:
            save_settings(new, self._path)
        except OSError as exc:
            self._problem(f"The settings could not be saved: {exc.strerror or exc}", None)
            return
        self.saved = new
        super().accept()

    def _problem(self, text: str, field: QWidget | None) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        if field is not None:
            field.setFocus()
