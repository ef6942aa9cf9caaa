// PanelUI.swift — the carbon panels' immediate-mode controls, after raygui's
// `GuiButton(bounds, text) -> Bool`: the call that draws a control also says whether it was
// clicked this frame, and every rect drawn as a control or a frame blocks the map under it.
//
// A left click over what the panels drew in the last frame (`CarbonPanelState.regions`) is kept
// for the next frame (`takeClick`) and never reaches the map; the next frame's drawing hands it to
// the one control under it. There is no second layout for hit-testing: where a control is drawn
// is where it is clicked. `controls` remembers where each control was drawn, for tests.
import CitySim
import Locale
import Render

/// A rectangle in framebuffer pixels (origin top-left).
public struct PanelRect: Sendable, Equatable {
    public var x: Float, y: Float, width: Float, height: Float

    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public func contains(_ px: Int, _ py: Int) -> Bool {
        Float(px) >= x && Float(px) < x + width && Float(py) >= y && Float(py) < y + height
    }

    public var center: (x: Int, y: Int) { (Int(x + width / 2), Int(y + height / 2)) }
}

/// One frame of the panels' drawing: text that is recorded as it is drawn, and controls that
/// draw themselves and report their click.
final class PanelUI {
    let canvas: Canvas2D
    let session: GameSession
    /// This frame's click, until a control under it takes it.
    private var click: (x: Int, y: Int)?

    var s: Strings { session.strings }

    enum ButtonStyle { case framed, bar }

    /// Starts a frame: takes the click kept since the last one, and forgets the last frame's regions.
    init(canvas: Canvas2D, session: GameSession) {
        self.canvas = canvas
        self.session = session
        click = session.panels.pendingClick
        session.panels.pendingClick = nil
        session.panels.regions = []
        session.panels.controls = [:]
        session.panels.disabled = [:]
    }

    // MARK: - Clicks

    /// `rect` takes clicks from now on (the map does not get them).
    func region(_ rect: PanelRect) { session.panels.regions.append(rect) }

    /// Whether this frame's click fell in `rect`; a click is taken by one control only.
    func clicked(_ rect: PanelRect, id: String) -> Bool {
        region(rect)
        session.panels.controls[id] = rect
        guard let point = click, rect.contains(point.x, point.y) else { return false }
        click = nil
        return true
    }

    /// Draws a button and returns true when it was clicked this frame. `.framed` is the panels'
    /// button (centred label, outline); `.bar` is a button of the row above the overlay buttons.
    /// A button with a `disabled` reason is drawn greyed, takes its click without acting, and
    /// records the reason (`CarbonPanelState.disabled`) for the panel to show beside it.
    @discardableResult
    func button(_ rect: PanelRect, _ label: String, id: String, active: Bool = false, size: Int = 12,
                         style: ButtonStyle = .framed, disabled: String? = nil) -> Bool {
        switch style {
        case .framed:
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height,
                            color: disabled != nil ? CarbonPanels.frameColor : active ? CarbonPanels.activeColor : CarbonPanels.buttonColor)
            canvas.strokeRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.4, 0.44, 0.55, 1))
            let label = fit(label, size: size, width: rect.width - 8)
            let width = Float(canvas.measureText(label, size: size).width)
            text(label, x: rect.x + (rect.width - width) / 2, y: rect.y + (rect.height - Float(size)) / 2 - 2, size: size,
                 color: disabled != nil ? Vec4(0.5, 0.52, 0.55, 1) : active ? HUD.accent : HUD.text)
        case .bar:
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: active ? CarbonPanels.activeColor : HUD.panel)
            _ = canvas.drawText(fit(label, size: size, width: rect.width - 8), x: rect.x + 5, y: rect.y + 4, size: size,
                                color: active ? HUD.accent : HUD.text)
        }
        if let disabled {
            session.panels.disabled[id] = disabled
            _ = clicked(rect, id: id)
            return false
        }
        session.panels.disabled[id] = nil
        return clicked(rect, id: id)
    }

    // MARK: - Text

    /// `text` cut with "…" to fit `width` pixels.
    func fit(_ text: String, size: Int, width: Float) -> String {
        guard Float(canvas.measureText(text, size: size).width) > width else { return text }
        session.overflowingText.append("\(text) (cut to \(Int(width)) px)")
        let characters = Array(text)
        var low = 0, high = characters.count
        while low < high {
            let mid = (low + high + 1) / 2
            if Float(canvas.measureText(String(characters.prefix(mid)) + "…", size: size).width) <= width { low = mid } else { high = mid - 1 }
        }
        return String(characters.prefix(low)) + "…"
    }

    /// Draws `text` (cut to `width`) and records it in `drawnText`; returns its width.
    @discardableResult
    func text(_ text: String, x: Float, y: Float, size: Int = 12, color: Vec4 = HUD.text, width: Float? = nil) -> Float {
        guard !text.isEmpty else { return 0 }
        let shown = width.map { fit(text, size: size, width: $0) } ?? text
        session.panels.drawnText.append(shown)
        return Float(canvas.drawText(shown, x: x, y: y, size: size, color: color).width)
    }

    /// Text whose right edge is at `right`.
    func right(_ text: String, right: Float, y: Float, size: Int = 12, color: Vec4 = HUD.text) {
        let width = Float(canvas.measureText(text, size: size).width)
        self.text(text, x: right - width, y: y, size: size, color: color)
    }

    /// "label ........ value" across `width`.
    func pair(_ label: String, _ value: String, x: Float, y: Float, width: Float, size: Int = 12, color: Vec4 = HUD.text) {
        let valueWidth = Float(canvas.measureText(value, size: size).width)
        text(label, x: x, y: y, size: size, color: HUD.dim, width: max(20, width - valueWidth - 10))
        right(value, right: x + width, y: y, size: size, color: color)
    }

    func heading(_ text: String, x: Float, y: Float, width: Float? = nil) {
        self.text(text, x: x, y: y, size: 14, color: HUD.accent, width: width)
    }
}
