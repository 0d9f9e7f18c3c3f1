"""The main window: palette, canvas, inspector, data, problems, training toolbar and live views."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication, QDialog, QDockWidget, QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox, QPlainTextEdit,
    QScrollArea, QToolBar, QVBoxLayout, QWidget,
)

from nnstudio.errors import NNStudioError
from nnstudio.graph import Graph
from nnstudio.io import Project, load_project, save_project
from nnstudio.training import runs_of, target_of
from nnstudio.ui import plots
from nnstudio.ui import layout as dock_layout
from nnstudio.ui.autosave import Autosaver
from nnstudio.ui.canvas import GraphScene, GraphView
from nnstudio.ui.data_trust import confirm_outside_data, refusal_text
from nnstudio.ui.examples import example_infos, is_installed_example
from nnstudio.ui.lesson_panel import install_lessons
from nnstudio.ui.panels.data_panel import DataPanel
from nnstudio.ui.panels.gallery import GalleryDialog
from nnstudio.ui.panels.inspector import InspectorPanel
from nnstudio.ui.panels.palette import PalettePanel
from nnstudio.ui.panels.problems import ProblemsPanel
from nnstudio.ui.problems_indicator import ProblemsIndicator
from nnstudio.ui.start_page import StartPage
from nnstudio.ui.theme import THEMES, apply_theme
from nnstudio.ui.training_controller import ControllerHost, TrainingController
from nnstudio.ui.view_picker import ViewPicker
from nnstudio.ui.view_reset import reset_views

MAX_RECENT = 10
DEFAULT_DATA = {"source": "toy", "name": "xor", "n": 400, "noise": 0.1, "seed": 0, "val_ratio": 0.2,
                "features": ["x1", "x2"]}


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.settings = QSettings()
        self.path: Path | None = None
        self.copy_of: str | None = None  # title of the example this untitled project is a copy of
        self.project = Project(graph=Graph(), data=dict(DEFAULT_DATA))
        self.undo_stack = QUndoStack(self)
        self.scene = GraphScene(self.project.graph, self.undo_stack, self)
        self.view = GraphView(self.scene)
        self.banner = plots.DivergenceBanner()
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.banner)
        lay.addWidget(self.view)
        self.setCentralWidget(central)
        self.setDockNestingEnabled(True)
        self.palette_panel = PalettePanel()
        self.inspector = InspectorPanel()
        self.inspector.set_scene(self.scene)
        self.data_panel = DataPanel()
        self.problems = ProblemsPanel()
        self.palette_dock = self._dock("Layers", self.palette_panel, Qt.LeftDockWidgetArea, "PaletteDock")
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.LeftDockWidgetArea, "InspectorDock")
        # the data form is tall; scrolled, it does not force its height on the plots stacked beside it
        dock_layout.compact_combos(self.data_panel)  # long dataset names must not widen the column
        data_scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        data_scroll.setWidget(dock_layout.scroll_host(self.data_panel))
        data_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        data_scroll.setMinimumWidth(self.data_panel.minimumSizeHint().width()
                                    + data_scroll.verticalScrollBar().sizeHint().width())
        self.data_dock = self._dock("Data", data_scroll, Qt.RightDockWidgetArea, "DataDock")
        self.problems_dock = self._dock("Problems", self.problems, Qt.BottomDockWidgetArea, "ProblemsDock")
        self.training_toolbar = QToolBar("Training")
        self.training_toolbar.setObjectName("TrainingToolbar")
        self.addToolBar(Qt.TopToolBarArea, self.training_toolbar)
        self.trainer = TrainingController(self._controller_host(), self.training_toolbar, parent=self)
        plots.catalog.build(self)  # every view dock (self.curves_dock...) and self.plot_docks, from one list
        self.trainer.docks = self.plot_docks
        self.addDockWidget(Qt.BottomDockWidgetArea, self.runs_panel)
        # right column: data over two view slots, each showing one view chosen by name (see layout.py)
        self.view_picker = ViewPicker(self, dock_layout.slots(self), lambda d: plots.catalog.applies(
            self, d, self.data_panel.dataset, self.project.graph))
        dock_layout.arrange_default(self)
        self.palette_dock.setMinimumWidth(230)
        self.inspector_dock.setMinimumWidth(230)
        self._first_show = True
        for d in self.plot_docks:
            d.visibilityChanged.connect(self._views_changed)
            d.needsChanged.connect(self._views_changed)
        self.status_params = QLabel("")
        self.status_valid = ProblemsIndicator()  # "No problems" / "3 problems": a click opens the list
        self.status_valid.clicked.connect(self._toggle_problems)
        self.problems_dock.visibilityChanged.connect(self.status_valid.setChecked)
        self.statusBar().addPermanentWidget(self.status_valid)
        self.statusBar().addPermanentWidget(self.status_params)
        self._make_menus()
        self._connect()
        self.resize(1440, 900)
        self._restore()
        self._set_project(self.project, None)
        from nnstudio.lessons import all_lessons

        self.start_page = StartPage(example_infos(), self, lessons=all_lessons())
        self.start_page.exampleChosen.connect(self.open_example)
        self.start_page.newRequested.connect(self._start_empty)
        self.start_page.openRequested.connect(self.open_dialog)
        self.start_page.recentChosen.connect(self.open_path)
        self.start_page.backRequested.connect(self.hide_start_page)
        self.lesson_dock = install_lessons(self)  # Lessons menu, lesson panel, the start page's lessons
        self.show_start_page()
        self.autosave = Autosaver(self)  # unsaved work is kept for crash recovery

    # --- layout -----------------------------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(name)
        d.setWidget(widget)
        self.addDockWidget(area, d)
        return d

    def _controller_host(self) -> ControllerHost:
        """The training controller's view of this window (the project is looked up on every use:
        opening or starting a project replaces the object)."""
        return ControllerHost(project=self._current_project, mark_modified=self.mark_modified,
                              show_problem=self.show_problem, banner=self.banner, scene=self.scene,
                              base_dir=self._base_dir, prepare_views=self._prepare_views,
                              all_views=self._all_views)

    def _current_project(self) -> Project:
        return self.project

    def _base_dir(self) -> Path | None:
        return self.path.parent if self.path else None

    def _all_views(self) -> bool:
        return bool(getattr(self, "all_views", False))  # set by the GUI benchmark

    def _prepare_views(self, trainer: Any) -> None:
        """A new session: the views that draw the data or the layers learn them."""
        ds = trainer.dataset
        self.decision_dock.set_points(ds.points_train, ds.y_train, ds.points_val, ds.y_val, ds.task)
        self.weights_dock.set_input_shape(ds.input_shape)
        self.confusion_dock.set_class_names(ds.class_names)
        self.word_vectors_dock.set_token_names(ds.token_names)
        hidden = [(n.id, n.name) for n in trainer.graph.nodes.values() if n.kind in ("Activation", "Dense", "Neuron")]
        self.projection_dock.set_layers(hidden[:-1] or hidden)

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.RightDockWidgetArea) -> None:
        self.addDockWidget(area, dock)

    def _make_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self.actions: dict[str, QAction] = {}

        def act(menu: Any, key: str, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(shortcut)
            a.setStatusTip(tip or text)
            a.setToolTip(tip or text)
            a.triggered.connect(slot)
            menu.addAction(a)
            self.actions[key] = a
            return a

        act(f, "new", "&New", self.new_project, QKeySequence.New, "Start an empty project")
        act(f, "open", "&Open...", self.open_dialog, QKeySequence.Open, "Open a project file")
        act(f, "examples", "New from &example...", self.show_start_page, QKeySequence("Ctrl+Shift+O"),
            "Start from a copy of one of the example projects")
        self.recent_menu = f.addMenu("Open &recent")
        f.addSeparator()
        act(f, "save", "&Save", self.save, QKeySequence.Save, "Save the project")
        act(f, "save_as", "Save &as...", self.save_as, QKeySequence("Ctrl+Shift+S"), "Save under a new name")
        act(f, "import_weights", "&Import weights...", self.import_weights_dialog, None,
            "Load trained layers from an .npz file or another project into the nodes of the same name")
        act(f, "export", "&Export...", self.open_export_dialog, None,
            "Export the network as a PyTorch training script, an ONNX model or npz weights")
        f.addSeparator()
        act(f, "quit", "&Quit", self.close, QKeySequence("Ctrl+Q"), "Close nnstudio")
        e = mb.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        # both usual redo keys, each once (QKeySequence.Redo is Ctrl+Shift+Z on Linux: listing it twice
        # made the key ambiguous)
        redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        e.addAction(undo)
        e.addAction(redo)
        self.actions["undo"], self.actions["redo"] = undo, redo
        e.addSeparator()
        for name in ("cut", "copy", "paste", "duplicate", "delete", "select_all"):
            e.addAction(self.view.actions_by_name[name])
        n = mb.addMenu("&Network")
        for name in ("layout", "expand", "collapse"):
            n.addAction(self.view.actions_by_name[name])
        v = mb.addMenu("&View")
        for name in ("fit", "zoom_in", "zoom_out"):
            v.addAction(self.view.actions_by_name[name])
        v.addSeparator()
        theme = v.addMenu("Theme")
        for t in THEMES:
            a = theme.addAction(t.capitalize())
            a.triggered.connect(lambda _c=False, t=t: self.set_theme(t))
        v.addSeparator()
        for d in [self.palette_dock, self.data_dock, self.inspector_dock, self.problems_dock, self.runs_panel,
                  *self.plot_docks]:
            v.addAction(d.toggleViewAction())
        v.addSeparator()
        act(v, "reset_layout", "&Reset layout", self.reset_layout, None,
            "Put every panel and view back where it was at first start")
        t = mb.addMenu("&Training")
        for a in (self.trainer.train_action, self.trainer.step_action, self.trainer.epoch_action,
                  self.trainer.stop_action, self.trainer.reset_action):
            t.addAction(a)
        h = mb.addMenu("&Help")
        act(h, "shortcuts", "&Keyboard shortcuts", self.show_shortcuts, QKeySequence("F1"), "List every shortcut")
        act(h, "about", "&About nnstudio", self.about)

    def _connect(self) -> None:
        self.palette_panel.kindActivated.connect(self.add_at_centre)
        self.scene.analysisChanged.connect(self._analysis)
        self.scene.graphEdited.connect(self._graph_edited)
        self.scene.messageShown.connect(self._status_message)
        self.scene.nodeSelectionChanged.connect(self._selection_shown)
        self.problems.nodeChosen.connect(self.focus_node)
        self.data_panel.datasetChanged.connect(self._dataset_changed)
        self.undo_stack.cleanChanged.connect(self._update_title)
        self.banner.rollbackRequested.connect(self.trainer.rollback)
        self.trainer.reset_action.triggered.connect(self._after_reset)  # after the controller's own reset
        self.trainer.message.connect(self._status_message)
        self.trainer.runsChanged.connect(self._refresh_runs)
        self.runs_panel.overlayChanged.connect(
            lambda runs: self.curves_dock.set_overlays([(r.started, r.curves) for r in runs]))
        self.runs_panel.exportPlotRequested.connect(self.curves_dock.export_png)

    # --- project ------------------------------------------------------------------------------------
    def _set_project(self, project: Project, path: Path | None) -> None:
        self.trainer.close_session(store=False)
        self.trainer.stale = False
        self.project = project
        self.path = path
        self.copy_of = None
        self._suggested_name = "network.nnstudio"  # Save As proposes this for an untitled project
        self.undo_stack.clear()
        self.scene.set_graph(project.graph)
        self.data_panel.base_dir = path.parent if path else None
        self._extra_modified = False
        if project.data and confirm_outside_data(self, self.settings, project.data, path):
            self.data_panel.load_spec(project.data)
        elif project.data and path is not None:  # the user said no: nothing outside the folder was read
            self.data_panel.error.setText(refusal_text(project.data, path))
        self.trainer.show_settings(project.training)
        self._refresh_runs()
        reset_views(self, self.data_panel.dataset if project.data else None)
        self.fit_readable()
        self._update_title()
        if project.warnings:
            self.statusBar().showMessage(" ".join(project.warnings), 10000)
        self.trainer.show_saved_weights()  # a trained project shows its trained network at once

    def _refresh_runs(self) -> None:
        self.runs_panel.set_runs(runs_of(self.project))

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean() or self._extra_modified

    def mark_modified(self) -> None:
        self._extra_modified = True
        self._update_title()

    # Signals are connected to bound methods, not lambdas: Qt then drops the connection when the
    # window is destroyed, so a child emitting during teardown never reaches a half-deleted window.
    def _views_changed(self, *_args: Any) -> None:
        self.trainer.apply_extras()

    def _status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_title(self, *_args: Any) -> None:
        name = self.path.name if self.path else f"{self.copy_of} (copy)" if self.copy_of else "untitled.nnstudio"
        self.setWindowTitle(f"{name}{'*' if self.modified else ''} - nnstudio")

    def _ask_save(self) -> str:
        """'save', 'discard' or 'cancel' (tests replace this)."""
        box = QMessageBox(QMessageBox.Question, "Unsaved changes",
                          f"Save the changes to {self.path.name if self.path else 'this project'}?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def _may_discard(self) -> bool:
        if not self.modified:
            return True
        answer = self._ask_save()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_project(self) -> None:
        if self._may_discard():
            self._set_project(Project(graph=Graph(), data=dict(DEFAULT_DATA)), None)
            self.hide_start_page()

    def open_example(self, path: str | Path, ask: bool = True) -> bool:
        """Open an untitled *copy* of an example: the installed file is never written to."""
        if ask and not self._may_discard():
            return False
        try:
            project = load_project(Path(path))
        except NNStudioError as exc:
            QMessageBox.warning(self, "Cannot open example", str(exc))
            self.last_error = str(exc)
            return False
        self._set_project(project, None)
        self.copy_of = str((project.meta or {}).get("title") or Path(path).stem)
        self._suggested_name = f"{Path(path).stem}.nnstudio"
        self._update_title()
        self.hide_start_page()
        self.statusBar().showMessage(f"A copy of the {self.copy_of} example: save it (Ctrl+S) to keep your "
                                     "changes under a name of your own", 8000)
        return True

    def open_lesson(self, lesson_id: str, ask: bool = True) -> bool:
        """Open a copy of the lesson's example with the lesson panel beside it."""
        return self.lesson_dock.open_lesson(lesson_id, ask)

    # --- start page ---------------------------------------------------------------------------------
    def show_start_page(self) -> None:
        """Cover the window (below the menu bar) with the start page."""
        self.start_page.set_recent(self.recent_files())
        self.start_page.set_can_go_back(bool(self.project.graph.nodes) or self.path is not None)
        self._place_start_page()
        self.start_page.show()
        self.start_page.raise_()
        self.start_page.setFocus()

    def hide_start_page(self) -> None:
        # isHidden, not isVisible: a project opened before the window is shown must close the page too
        if hasattr(self, "start_page") and not self.start_page.isHidden():
            self.start_page.hide()
            self.view.setFocus()
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self, self.fit_readable)

    def fit_readable(self) -> None:
        """Fit the network into the canvas, but never so small that its text drops below 9 pt."""
        self.view.fit(min_zoom=self.view.readable_zoom())

    def on_start_page(self) -> bool:
        return not self.start_page.isHidden()

    def _start_empty(self) -> None:
        self.new_project()

    def _place_start_page(self) -> None:
        top = self.menuBar().geometry().bottom() + 1 if self.menuBar().isVisible() else 0
        self.start_page.setGeometry(0, top, self.width(), self.height() - top)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if hasattr(self, "start_page"):
            self._place_start_page()

    # --- layout -------------------------------------------------------------------------------------
    def reset_layout(self) -> None:
        """View > Reset layout: every dock back to its first-start place and size."""
        dock_layout.arrange_default(self)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self, lambda: dock_layout.size_default(self))
        self.statusBar().showMessage("Layout reset: panels and views are back in their first places", 4000)

    def _selection_shown(self, ids: list) -> None:
        # the inspector shares a tab with the palette: a node picked on the canvas brings it forward,
        # a node added from the palette (focus still there) leaves the palette in front
        if ids and self.view.hasFocus() and not self.inspector_dock.isFloating():
            self.inspector_dock.raise_()

    def _after_reset(self) -> None:
        if self.trainer.session is not None:
            reset_views(self, self.data_panel.dataset)

    def _toggle_problems(self) -> None:
        self.problems_dock.setVisible(not self.problems_dock.isVisible())
        if self.problems_dock.isVisible():
            self.problems_dock.raise_()

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", self.settings.value("last_dir", str(Path.home())),
                                              "nnstudio projects (*.nnstudio);;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a project; a path that does not exist yet starts an empty project saved there."""
        p = Path(path)
        if is_installed_example(p):  # also from Open recent: the example itself stays as installed
            return self.open_example(p, ask)
        if ask and not self._may_discard():
            return False
        if not p.exists():
            self._set_project(Project(graph=Graph(), data=dict(DEFAULT_DATA)), p)
            self.hide_start_page()
            return True
        try:
            project = load_project(p)
        except NNStudioError as exc:
            QMessageBox.warning(self, "Cannot open project", str(exc))
            self.statusBar().showMessage(str(exc), 10000)
            self.last_error = str(exc)
            return False
        self._set_project(project, p)
        self._add_recent(p)
        self.hide_start_page()
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        suggested = Path(self.settings.value("last_dir", str(Path.home()))) / self._suggested_name
        if self.path is not None and not is_installed_example(self.path):
            suggested = self.path
        path, _ = QFileDialog.getSaveFileName(self, "Save project", str(suggested), "nnstudio projects (*.nnstudio)")
        if not path:
            return False
        if not path.endswith(".nnstudio"):
            path += ".nnstudio"
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        if is_installed_example(path):
            QMessageBox.warning(self, "Cannot save", f"{path.name} is an installed example, which stays as it is. "
                                                     "Choose another folder to save your copy.")
            return False
        self.project.training = self.trainer.settings_dict()
        if self.data_panel.dataset is not None:
            from nnstudio.data import relative_spec

            self.project.data = relative_spec(self.data_panel.dataset.spec, path.parent)
        saved = self.trainer.weights_for_saving()  # the trained weights and optimizer state go along
        if saved is not None:
            self.project.weights, self.project.optimizer = saved
        try:
            save_project(self.project, path)
        except (NNStudioError, OSError) as exc:
            QMessageBox.warning(self, "Cannot save", f"{path.name} could not be saved: {exc}")
            return False
        self.path = path
        self.data_panel.base_dir = path.parent
        self.undo_stack.setClean()
        self._extra_modified = False
        self.autosave.saved()
        self._add_recent(path)
        self._update_title()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def import_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import weights", self.settings.value("last_dir", str(Path.home())),
                                              "Trained weights (*.npz *.nnstudio);;All files (*)")
        if path:
            self.import_weights_from(path)

    def import_weights_from(self, path: str | Path) -> bool:
        """Import trained parts into the network and show the report; False if the file was unusable."""
        from nnstudio.ui.panels.import_report import ImportReportDialog

        try:
            report = self.trainer.import_weights(path)
        except NNStudioError as exc:
            QMessageBox.warning(self, "Cannot import weights", str(exc))
            return False
        self.import_report = ImportReportDialog(report, self)
        self.import_report.show()
        return bool(report.weights)

    def _add_recent(self, path: Path) -> None:
        recent = [str(path.resolve())] + [p for p in self.recent_files() if p != str(path.resolve())]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self.settings.setValue("last_dir", str(path.parent))
        self._fill_recent()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_files():
            a = self.recent_menu.addAction(Path(p).name)
            a.setToolTip(p)
            a.triggered.connect(lambda _c=False, p=p: self.open_path(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def open_export_dialog(self) -> None:
        """File > Export: the session's weights if training ran, else the saved or initial ones."""
        from nnstudio.ui.export_dialog import ExportDialog

        self.project.training = self.trainer.settings_dict()
        session = self.trainer.session
        snap = session.latest_snapshot() if session is not None and not self.trainer.stale else None
        trained = snap is not None and snap.step > 0
        self.export_dialog = ExportDialog(self, self.project, self.path.stem if self.path else "model",
                                          self.trainer.base_dir(), session.weights if trained else (lambda: None),
                                          self.data_panel.dataset, trained)
        self.export_dialog.open()

    def open_gallery(self) -> None:
        dlg = GalleryDialog(self)
        if dlg.exec() == QDialog.Accepted and dlg.chosen:
            self.open_example(dlg.chosen)

    # --- reactions ------------------------------------------------------------------------------------
    def add_at_centre(self, kind: str) -> None:
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        self.scene.add_node_at(kind, centre - QPointF(80, 20))

    def focus_node(self, nid: str) -> None:
        if nid in self.scene.node_items:
            self.scene.select_nodes([nid])
            self.view.centerOn(self.scene.node_items[nid])

    def _analysis(self, a: Any) -> None:
        self.problems.show_analysis(self.scene.graph, a)
        errors = [p for p in a.problems if p.severity == "error"]
        total = sum(a.param_counts.values())
        self.status_params.setText(f"{total:,} parameters")
        self.status_valid.show_counts(len(errors), len(a.problems) - len(errors))

    def _graph_edited(self) -> None:
        self._update_title()
        self.trainer.mark_stale()

    def _dataset_changed(self, ds: Any) -> None:
        if self.project.data != ds.spec:
            self.project.data = dict(ds.spec)
            if self.isVisible():
                self.mark_modified()
        self.scene.set_target(target_of(ds))
        # the trained network and its pictures belong to the old data: keep the run, show the new data
        self.trainer.close_session(store=True)
        reset_views(self, ds)
        dock_layout.suited_view(self, ds)

    def show_problem(self, text: str) -> None:
        self.problems_dock.show()
        self.problems_dock.raise_()
        self.statusBar().showMessage(text.splitlines()[0], 10000)

    def set_theme(self, name: str) -> None:
        apply_theme(QApplication.instance(), name, self)
        self.start_page.restyle()
        self.settings.setValue("theme", name)
        self.theme = name

    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        seen = set()
        for a in [*self.actions.values(), *self.view.actions_by_name.values(), self.trainer.train_action,
                  self.trainer.step_action, self.trainer.epoch_action]:
            keys = ", ".join(k.toString(QKeySequence.NativeText) for k in a.shortcuts())  # every key, not the first
            if keys and a.text() not in seen:
                seen.add(a.text())
                rows.append((a.text().replace("&", ""), keys))
        rows += [("Pan", "Middle button drag, or Space + drag"), ("Zoom", "Mouse wheel")]
        return rows

    def show_shortcuts(self) -> None:
        dlg = QDialog(self)
        dlg.setWindowTitle("Keyboard shortcuts")
        text = QPlainTextEdit("\n".join(f"{k:<22} {v}" for v, k in ((r[0], r[1]) for r in self.shortcut_rows())))
        text.setReadOnly(True)
        lay = QVBoxLayout(dlg)
        lay.addWidget(text)
        dlg.resize(420, 480)
        dlg.exec()

    def about(self) -> None:
        from nnstudio._version import __version__

        QMessageBox.about(self, "About nnstudio", f"nnstudio {__version__}<br>Build neural networks on a canvas "
                                                  "and watch them learn.")

    # --- settings ------------------------------------------------------------------------------------------
    def _restore(self) -> None:
        self._layout_restored = dock_layout.restore_layout(self, self.settings)
        self.theme = str(self.settings.value("theme", "light"))
        apply_theme(QApplication.instance(), self.theme, self)
        self._fill_recent()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._first_show:
            self._first_show = False
            from PySide6.QtCore import QTimer

            if not self._layout_restored:  # first start (or a layout of an older version): the default
                dock_layout.size_default(self)
                QTimer.singleShot(0, self, lambda: dock_layout.size_default(self))  # once the window is laid out
            QTimer.singleShot(0, self, self.fit_readable)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._may_discard():
            event.ignore()
            return
        self.trainer.timer.stop()
        self.trainer.close_session(store=False)
        dock_layout.save_layout(self, self.settings)
        self.autosave.closed()
        event.accept()
