// ChineseLessonOneTests — a student who reads only Chinese wins lesson 1 from what the screen
// says. In a real window (xvfb), in Chinese: the briefing card gives the number of plots net zero
// needs and how many the budget pays for; the Hint button's hints (in the messages feed) name the
// green plot to plant; the student picks that tool by its label on the toolbar, paints that many
// plots (a few more, fewer than the budget pays for) with mouse drags through SDL's event queue,
// starts the game at the top speed and plays to the end-of-lesson screen, which says they won.
// No level file is read by the "student": only drawn text. Screenshots of each step go to the
// temporary directory (lesson1-zh-1-briefing.png … lesson1-zh-4-end.png).
import CitySim
import Foundation
import Game
import Render
import Report
import Testing

/// The first whole number after `prefix` in `text` (spaces allowed between them).
func number(after prefix: String, in text: String) -> Int? {
    guard let range = text.range(of: prefix) else { return nil }
    let digits = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }
    return Int(digits)
}

@Suite("Lesson 1 won in Chinese from the screen alone", .serialized, .enabled(if: hasDisplay, "needs a display: run under xvfb-run"))
@MainActor
struct ChineseLessonOneTests {
    @Test func aStudentFollowingTheChineseBriefingAndHintsWinsLessonOne() throws {
        let (session, view) = try lessonOne(language: .zh)
        let size = view.renderer.framebufferSize
        let shots = NSTemporaryDirectory()
        _ = try waitForProjection(session, view: view)
        #expect(session.briefing.isOpen && session.paused, "the lesson opens paused on its card")

        // 1. The card, as drawn: the plots needed and the plots the budget pays for.
        let card = session.briefing.drawnText.joined()
        let needed = try #require(number(after: "大约需要", in: card), "the card says how many plots: \(card)")
        let affordable = try #require(number(after: "大约够种", in: card), "and how many the budget pays for: \(card)")
        #expect(needed > 0 && needed < affordable, "\(needed) needed, \(affordable) affordable")
        #expect(session.briefing.drawnText.flatMap(englishWords).isEmpty, "no English on the card: \(session.briefing.drawnText)")
        try view.renderer.readPixels().writePNG(to: shots + "lesson1-zh-1-briefing.png")

        // 2. Every hint, through the card's Hint button; each appears in the messages feed.
        var hints: [String] = []
        for _ in 0..<8 {
            let before = HUD.messageLines(session: session, now: view.now)
            let button = Briefing.layout(size: size).hintButton
            try click((Int(button.x + button.width / 2), Int(button.y + button.height / 2)), session: session, view: view)
            let new = HUD.messageLines(session: session, now: view.now).filter { !before.contains($0) }
            if new.isEmpty { break }
            hints += new
        }
        #expect(hints.count >= 3, "\(hints)")
        #expect(hints.flatMap(englishWords).isEmpty, "no English in the hints: \(hints)")
        // The toolbar's label that a hint names together with a number of plots: the plot to plant.
        let labels = session.tools.map { session.strings["tools." + $0] }
        let advice = try #require(hints.first { hint in hint.contains("块") && labels.contains { hint.contains($0) } }, "a hint names a tool: \(hints)")
        let toolIndex = try #require(labels.indices.filter { labels[$0].count >= 2 && advice.contains(labels[$0]) }
            .max { labels[$0].count < labels[$1].count }, "\(labels) in \(advice)")
        #expect(labels[toolIndex] == "森林", "the hint's plot is the forest: \(advice)")

        // 3. Start, pause (Space) to plant at the start of 2020, as the hint says; pick the tool on the toolbar.
        let start = Briefing.layout(size: size).startButton
        try click((Int(start.x + start.width / 2), Int(start.y + start.height / 2)), session: session, view: view)
        #expect(!session.briefing.isOpen)
        try press(KeyCode.space, session: session, view: view)
        #expect(session.paused)
        try click(HUD.toolCenter(toolIndex, session: session), session: session, view: view)
        #expect(session.tool == "forest")
        // A few more plots than needed, still well within what the budget pays for.
        let goal = min(affordable - 5, needed + max(3, needed / 10))
        // Drag along each row of the map the student can see, over open land, until enough are planted.
        let map = session.view.map
        func planted() -> Int {
            session.view.commandLog.filter { record in
                guard record.source == .player, record.outcome.succeeded, case .build(let structure, _, _) = record.command else { return false }
                return structure.key == "forest"
            }.count
        }
        let before = planted()
        var rows = 0
        for y in 0..<map.height where planted() - before < goal {
            // The open tiles of this row that are on screen (the student sees grass, not water, houses or panels).
            let open = (0..<map.width).filter { x in
                let i = map.index(x, y)
                guard map.terrain[i].isBuildable && session.view.map.structure[i] == .none else { return false }
                let p = pixel(of: (x, y), session: session, view: view)
                guard let tile = session.tileAt(x: p.x, y: p.y, size: size) else { return false }
                return tile == (x, y)
            }
            guard var first = open.first else { continue }
            // The longest run of neighbouring open tiles, cut to what is still to plant.
            var best = (first, first), last = first
            for x in open.dropFirst() {
                if x == last + 1 { last = x } else { first = x; last = x }
                if last - first > best.1 - best.0 { best = (first, last) }
            }
            let end = min(best.1, best.0 + goal - (planted() - before) - 1)
            let from = pixel(of: (best.0, y), session: session, view: view), to = pixel(of: (end, y), session: session, view: view)
            try deliver([.mouseDown(x: from.x, y: from.y, button: .left), .mouseMove(x: to.x, y: to.y, buttons: .left),
                         .mouseUp(x: to.x, y: to.y, button: .left)], to: session, view: view)
            rows += 1
        }
        let plots = planted() - before
        #expect(plots == goal, "\(plots) forest plots planted by \(rows) drags, \(goal) meant")
        #expect(session.view.budget.balance > 0)
        let objectives = HUD.objectiveLines(session: session)
        #expect(objectives.allSatisfy { englishWords(in: $0.title + $0.progress).isEmpty }, "\(objectives)")
        try view.renderer.readPixels().writePNG(to: shots + "lesson1-zh-2-planted.png")

        // 4. The top speed (key 4), played to the end-of-lesson screen. The frame budget is the
        // harness's (a tenth of a second of simulation per frame), so the test does not draw 17,000 frames.
        try press(KeyCode.letter("4"), session: session, view: view)
        #expect(!session.paused && session.speed == GameSpeed.top)
        var looked = false
        while !session.lessonEnd.isOpen && session.view.clock.year <= 2022 {
            session.advance(frameSeconds: 1.0 / 30, budget: 0.1, clock: { view.now })
            if !looked && session.view.clock.month >= 7 {
                // Halfway through the first year: the objectives panel shows projections.
                try deliver([], to: session, view: view)
                let lines = HUD.objectiveLines(session: session)
                #expect(lines.contains { $0.progress.contains("预计") }, "a projection to the deadline: \(lines)")
                #expect(lines.allSatisfy { englishWords(in: $0.title + $0.progress).isEmpty }, "\(lines)")
                try view.renderer.readPixels().writePNG(to: shots + "lesson1-zh-3-playing.png")
                looked = true
            }
        }
        try deliver([], to: session, view: view)
        #expect(session.lessonEnd.isOpen, "the end-of-lesson screen opens when the lesson is decided")
        #expect(session.view.rules?.result == .won, "\(String(describing: session.view.rules?.values))")
        let end = session.lessonEnd.drawnText
        #expect(end.contains { $0.contains("课程成功") }, "the screen says the lesson was won: \(end)")
        #expect(end.flatMap(englishWords).isEmpty, "no English on the end screen: \(end)")
        #expect(missingGlyphs(end + session.briefing.drawnText, font: view.canvas.font).isEmpty)
        try view.renderer.readPixels().writePNG(to: shots + "lesson1-zh-4-end.png")
    }
}
