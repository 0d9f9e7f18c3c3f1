; Inno Setup script for nnstudio on Windows - UNTESTED (written on Linux, where it cannot run).
;
; Build on Windows, in a venv with `pip install -e ".[test]"`:
;   python packaging\render_icons.py                 (resources\nnstudio.ico, if the SVG changed)
;   pyinstaller --noconfirm --distpath build\dist --workpath build\pyinstaller packaging\nnstudio.spec
;   set NNSTUDIO_BUILD_CACHE=1 && build\dist\nnstudio\nnstudio.exe   (compile the shipped kernel cache)
;   iscc packaging\windows\nnstudio.iss                               (-> dist\nnstudio-<version>-setup.exe)
; The spec collects tbb12.dll from the venv's Library\bin; packaging\entry.py loads it by path.

#define AppName "nnstudio"
#define AppVersion "0.1.0"   ; keep in step with nnstudio/_version.py
#define Root "..\.."

[Setup]
AppId={{6C2A8B9E-4D1F-4E0B-9A57-1B3C5D7E9F20}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=nnstudio developers
DefaultDirName={autopf}\nnstudio
DefaultGroupName=nnstudio
OutputDir={#Root}\dist
OutputBaseFilename=nnstudio-{#AppVersion}-setup
SetupIconFile={#Root}\resources\nnstudio.ico
UninstallDisplayIcon={app}\nnstudio.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
PrivilegesRequiredOverridesAllowed=dialog

[Files]
Source: "{#Root}\build\dist\nnstudio\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\nnstudio"; Filename: "{app}\nnstudio.exe"
Name: "{autodesktop}\nnstudio"; Filename: "{app}\nnstudio.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
; .nnstudio files open in the app on double-click
Root: HKA; Subkey: "Software\Classes\.nnstudio"; ValueType: string; ValueName: ""; ValueData: "nnstudio.project"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\nnstudio.project"; ValueType: string; ValueName: ""; ValueData: "nnstudio project"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\nnstudio.project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\nnstudio.exe,0"
Root: HKA; Subkey: "Software\Classes\nnstudio.project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\nnstudio.exe"" ""%1"""

[Run]
Filename: "{app}\nnstudio.exe"; Description: "Start nnstudio"; Flags: nowait postinstall skipifsilent
