// RefusalWordsTests — every build refusal reads in the player's words, in English and in
// Chinese: a sentence from the locale files, every placeholder filled, no raw tile coordinates,
// no tool or policy keys, and no English left in the Chinese.
import CitySim
import Foundation
import Game
import Locale
import Testing

/// One example of every `Refusal` case. The switch has no default: a case added to `Refusal`
/// does not compile here until it has an example, so the test walks them all.
func refusalExamples() -> [Refusal] {
    func example(_ refusal: Refusal) -> Refusal {
        switch refusal {
        case .toolUnavailable: return .toolUnavailable(tool: "metro_tunnel")
        case .unknownPolicy: return .unknownPolicy(name: "carbon_tax")
        case .policyOutOfRange: return .policyOutOfRange(name: "carbon_tax", lowest: 0, highest: 2000, unit: "yuan/tCO2e")
        case .notANumber, .outsideMap, .busStopNeedsRoad, .metroStationNeedsRail, .bikeLaneNeedsRoad, .alreadyBikeLane,
             .occupied, .nothingToDemolish, .nothingToUpgrade, .captureFitsFossilPlants, .alreadyCaptures, .upgradeFitsBuildings,
             .alreadyUpgraded, .pueUpgradeIsForDataCentres, .sellAtLeastOne, .noOffsetCredits, .nothingToUndo, .alreadyUndone,
             .changedSince, .alreadyTunnel, .tunnelMeetsRail, .cannotBuildOn:
            return refusal
        case .noMoney: return .noMoney(needed: 14_000_000)
        case .notEnoughOffsetCredits: return .notEnoughOffsetCredits(held: 3, asked: 10)
        case .registry: return .registry("Account 7 holds 3 usable offset credits, fewer than the 10 asked for.")
        case .cannotUndo: return .cannotUndo(tool: "sell_offsets")
        case .recorded: return .recorded("x")
        }
    }
    let cases: [Refusal] = [.toolUnavailable(tool: ""), .unknownPolicy(name: ""), .policyOutOfRange(name: "", lowest: 0, highest: 0, unit: ""),
                            .notANumber, .outsideMap, .noMoney(needed: 0), .busStopNeedsRoad, .metroStationNeedsRail, .bikeLaneNeedsRoad,
                            .alreadyBikeLane, .occupied, .nothingToDemolish, .nothingToUpgrade, .captureFitsFossilPlants,
                            .alreadyCaptures, .upgradeFitsBuildings, .alreadyUpgraded, .pueUpgradeIsForDataCentres, .sellAtLeastOne,
                            .noOffsetCredits, .notEnoughOffsetCredits(held: 0, asked: 0), .registry(""), .nothingToUndo,
                            .alreadyUndone, .cannotUndo(tool: ""), .changedSince, .alreadyTunnel, .tunnelMeetsRail]
        + Terrain.allCases.map { .cannotBuildOn($0) }
    return cases.map(example)
}

@Suite("Refusals in the player's words")
struct RefusalWordsTests {
    @Test(arguments: [Language.en, .zh])
    func everyRefusalReadsAsASentenceInThePlayersLanguage(language: Language) throws {
        let s = Strings(language: language)
        let examples = refusalExamples()
        #expect(examples.count == 28 + Terrain.allCases.count)
        for refusal in examples where refusal != .recorded("x") {
            let text = CarbonPanels.refusalText(refusal, strings: s)
            #expect(s.has("refusals." + refusal.key), "\(language): no text for \(refusal.key)")
            #expect(!text.isEmpty && !text.contains("{") && !text.contains("}"), "\(language) \(refusal.key): \(text)")
            // No raw coordinates ("(3, 4)", "3,4", "x 3"), no keys with underscores, no account numbers.
            #expect(text.range(of: #"\(?\d+\s*,\s*\d+\)?"#, options: .regularExpression) == nil
                    || refusal.key == "no_money" || refusal.key == "policy_out_of_range", "\(language) \(refusal.key): \(text)")
            #expect(!text.contains("_"), "\(language) \(refusal.key): a key shows: \(text)")
            #expect(!text.contains("Account "), "\(language) \(refusal.key): \(text)")
            if language == .zh {
                // Chinese text has no English words (units and numbers aside).
                let english = text.range(of: #"[A-Za-z]{3,}"#, options: .regularExpression).map { String(text[$0]) }
                #expect(english == nil || ["yuan", "tCO", "PUE"].contains { english!.hasPrefix($0) }, "zh \(refusal.key): \(text)")
            }
            // The short form of a drag's summary, where there is one, is translated too.
            let short = "refusal_short." + refusal.key
            if Strings(language: .en).has(short) { #expect(s.has(short), "\(language): no short text for \(refusal.key)") }
        }
        // The one the issue names, word for word.
        #expect(CarbonPanels.refusalText(.cannotBuildOn(.water), strings: s) == (language == .en ? "Cannot build on water" : "不能在水面上建设"))
    }

    @Test func toolsAndPoliciesAreNamedNotKeyed() {
        let en = Strings(language: .en), zh = Strings(language: .zh)
        #expect(CarbonPanels.refusalText(.toolUnavailable(tool: "metro_tunnel"), strings: en) == "Metro tunnel is not available in this level")
        #expect(CarbonPanels.refusalText(.toolUnavailable(tool: "metro_tunnel"), strings: zh) == "本关卡不能使用地铁隧道")
        #expect(!CarbonPanels.refusalText(.policyOutOfRange(name: "carbon_tax", lowest: 0, highest: 2000, unit: "yuan/tCO2e"), strings: en)
            .contains("carbon_tax"))
    }
}
