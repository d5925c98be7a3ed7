; Inno Setup 6 script: the Windows installer of Passport desk.
;
; It wraps the one-folder PyInstaller build made ON WINDOWS (PyInstaller does not
; cross-compile; this cannot be built on Linux). From the repository root, in PowerShell:
;
;   py -3.11 -m venv .venv
;   .venv\Scripts\python -m pip install -r requirements.lock
;   .venv\Scripts\python -m pip install --no-deps -e .
;   .venv\Scripts\pyinstaller --noconfirm build_installer.spec
;   dist\passport-desk\passport-desk.exe self-test
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\passport-desk.iss
;
; Output: dist\passport-desk-0.1.0-windows-x64-setup.exe
;
; The build holds passport-desk.exe (console: the command line) and passport-desk-gui.exe
; (windowed: what the shortcuts start). Both share _internal\.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Passport desk"
#define AppExe "passport-desk-gui.exe"
#define CliExe "passport-desk.exe"
#define BuildDir "..\dist\passport-desk"

[Setup]
; The AppId identifies this application for upgrades and uninstall: never change it.
AppId={{D1B54EA4-47D5-4998-B895-BFDE2553BA83}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Passport desk
DefaultDirName={autopf}\Passport desk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Everyone (administrator) by default; the operator may choose a per-user install.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=passport-desk-{#AppVersion}-windows-x64-setup
SetupIconFile=..\resources\icons\passport-desk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
; ~1.2 GB of files, most of them native libraries: LZMA2 solid packs them to roughly a
; third. "ultra" would take much longer for a few per cent.
Compression=lzma2/normal
SolidCompression=yes
LZMANumBlockThreads=4
; Close a running copy before files are replaced on upgrade.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole program folder: no library of an older version may stay.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BuildDir}\{#AppExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\{#CliExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\resources\icons\passport-desk.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\passport-desk.ico"; Comment: "Read passports, ID cards and visas"
Name: "{autoprograms}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#CliExe}"" self-test"; IconFilename: "{app}\passport-desk.ico"; Comment: "Check that the reading engine works on this computer"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\passport-desk.ico"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; The operator's data (database, key file, logs in %APPDATA%\passport-desk) is kept on
; uninstall on purpose: it holds confirmed records and the key that decrypts them.
