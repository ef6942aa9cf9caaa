// TextWrapTests — Chinese wraps between characters, not early at the spaces around numbers, and
// no row starts with closing punctuation; English still wraps at spaces.
import Foundation
import Game
import Render
import Testing

extension GameWindowTests {
    @Test func chineseRowsAreFullAndNeverStartWithClosingPunctuation() throws {
        let view = try #require(sharedView, "a display is required")
        let canvas = view.canvas
        let text = "去年全市排放 12,345 吨二氧化碳，吸收 2,345 吨，净排放比前年减少了 18%。下一个里程碑：比峰值减少 50%，还差 3,210 吨。"
        for width: Float in stride(from: 120, through: 300, by: 7) {
            let rows = LessonEndScreen.wrap(text, width: width, size: 12, canvas: canvas)
            #expect(rows.joined().replacingOccurrences(of: " ", with: "") == text.replacingOccurrences(of: " ", with: ""), "no character is lost")
            for (index, row) in rows.enumerated() {
                #expect(Float(canvas.measureText(row, size: 12).width) <= width, "row \(index) fits \(width) px: \(row)")
                #expect(!"，。、；：！？）%".contains(row.first ?? "a"), "row \(index) at \(width) px starts with punctuation: \(row)")
                guard index + 1 < rows.count else { continue }
                // Full: the next row's first character, or its first number, with the
                // punctuation that follows it, would not have fitted.
                let next = Array(rows[index + 1])
                func isWord(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "," || c == ".") }
                var lead = isWord(next[0]) ? next.prefix { isWord($0) }.count : 1
                while lead < next.count, "，。、；：！？）%".contains(next[lead]) { lead += 1 }
                // With the space the break dropped, if there was one.
                let joined = rows[index] + " " + String(next.prefix(lead))
                let longer = text.contains(joined) ? joined : row + String(next.prefix(lead))
                #expect(Float(canvas.measureText(longer, size: 12).width) > width, "row \(index) at \(width) px breaks early: \(row) | \(rows[index + 1])")
            }
        }
        let english = LessonEndScreen.wrap("Emitted 12,345 t of CO2 last year, absorbed 2,345 t", width: 150, size: 12, canvas: canvas)
        #expect(english.allSatisfy { !$0.hasPrefix(" ") && !$0.hasSuffix(" ") })
        #expect(english.dropLast().allSatisfy { row in
            let words = row.split(separator: " ")
            return words.allSatisfy { word in "Emitted 12,345 t of CO2 last year, absorbed 2,345 t".split(separator: " ").contains(word) }
        }, "English breaks between words: \(english)")
    }
}
