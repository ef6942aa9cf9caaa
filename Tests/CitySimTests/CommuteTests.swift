// CommuteTests — commutes booked by habit (Commutes.swift): a commuter's lines hold what booking
// its day every hour would, commuters reconsider within a week, the totals equal the sum of the
// commutes, and a save from before habits loads into them and books on.
@testable import CitySim
import ECS
import Testing

@Suite("Commutes")
struct CommuteTests {
    /// Every hour in which a citizen's commute stays as it was, its tailpipe line must grow by a
    /// 24th of the commute's day and its electricity line by a 24th of its day's kWh × its
    /// island's served share × the hour's grid factor, read through the lines as booked so far.
    @Test(arguments: [UInt64(21), 22, 25])
    func aCommuterKeepingItsDayBooksA24thOfItEachHour(seed: UInt64) throws {
        let city = randomCity(seed: seed)
        func snapshot() -> [Entity: (commute: Commute, tailpipe: Double, electricity: Double)] {
            var result: [Entity: (Commute, Double, Double)] = [:]
            city.world.query(Entity.self, Read<Commute>.self).forEach { entity, commute in
                let lines = city.view.ledgerLines(entity)
                let year = city.view.clock.year
                func tonnes(_ line: AccountLine) -> Double {
                    guard let flow = lines.first(where: { $0.line == line })?.flow, flow.year == year else { return 0 }
                    return flow.yearTonnes
                }
                result[entity] = (commute, tonnes(.primary), tonnes(.electricity))
            }
            return result
        }
        var checkedTailpipe = 0, checkedElectricity = 0
        var before = snapshot()
        for _ in 0..<50 {
            city.step()
            let after = snapshot()
            let grid = city.view.grid
            for (entity, now) in after {
                guard let was = before[entity], was.commute.active, was.commute.mode == now.commute.mode,
                      was.commute.kWh == now.commute.kWh, was.commute.tailpipeTonnes == now.commute.tailpipeTonnes,
                      was.commute.island == now.commute.island else { continue }
                // The same day through the hour (settling, or reconsidering to the same choice, moves
                // what the line holds from pending to booked, never the total).
                let tailpipe = Double(was.commute.tailpipeTonnes) * CommuteUnits.tonnes / 24
                #expect(abs((now.tailpipe - was.tailpipe) - tailpipe) <= 1e-12 + 1e-9 * tailpipe, "tailpipe of \(entity)")
                if tailpipe > 0 { checkedTailpipe += 1 }
                let island = Int(was.commute.island)
                let served = grid.demandKWh[island] > 0 ? grid.deliveredKWh[island] / grid.demandKWh[island] : 0
                let factor = served > 0 ? grid.factor[island] : 0
                let electricity = Double(was.commute.kWh) * CommuteUnits.amount / 24 * served * factor / 1e6
                #expect(abs((now.electricity - was.electricity) - electricity) <= 1e-12 + 1e-9 * electricity, "electricity of \(entity)")
                if electricity > 0 { checkedElectricity += 1 }
            }
            before = after
        }
        #expect(checkedTailpipe > 1000 && checkedElectricity > 300, "\(checkedTailpipe) tailpipe and \(checkedElectricity) electric commuter-hours checked")
    }

    /// Commuters keep their mode by habit: an hour after a prohibitive car charge nearly every
    /// petrol commuter still drives, and a week later only those with no other way to work do
    /// (cohorts are slices of storage rows: as the city grows their bounds move, so a commuter
    /// near a bound may wait a second week; at most 1% here). Then the city's books equal the
    /// sum over its entities, and the totals the hour books from equal the sum of the commutes.
    @Test func aCarChargeReachesEveryCommuterWithinAWeekAndTheTotalsAddUp() throws {
        let city = randomCity(seed: 23)
        city.run(hours: 5)
        func petrolCommuters() -> [(Entity, Citizen)] {
            var result: [(Entity, Citizen)] = []
            city.world.query(Entity.self, Read<Citizen>.self, Read<Commute>.self).forEach { entity, citizen, commute in
                if commute.active && commute.mode == .carPetrol { result.append((entity, citizen)) }
            }
            return result
        }
        let before = petrolCommuters().count
        try #require(before > 20)
        #expect(city.world.resource(CommuteTotals.self)!.tailpipeTonnes > 0, "the totals count the petrol commuters' tailpipes")
        city.submit(.setPolicy("car_charge_per_km", 1000))
        city.run(hours: 1)
        let anHourLater = petrolCommuters().count
        #expect(anHourLater * 10 >= before * 9, "\(anHourLater) of \(before) still drive an hour later")
        city.run(hours: 24 * 7)
        let catalog = city.catalog
        func onlyByCar(_ citizen: Citizen) -> Bool {
            let km = Double(citizen.access.km)
            let reachable = [TravelMode.walk, .bike, .ebike].contains { km <= catalog.mode($0).maxDistance }
                || (citizen.access.busAccessMinutes.isFinite && km <= catalog.mode(.bus).maxDistance)
                || (citizen.access.metroAccessMinutes.isFinite && km <= catalog.mode(.metro).maxDistance)
            return !reachable
        }
        let aWeekLater = petrolCommuters()
        let couldSwitch = aWeekLater.filter { !onlyByCar($0.1) }.count
        var employed = 0
        city.view.forEachCitizen { _, citizen in if citizen.isEmployed { employed += 1 } }
        #expect(aWeekLater.count < before && couldSwitch * 100 <= employed,
                "a week later \(aWeekLater.count) drive, \(couldSwitch) of them with another way to work, of \(employed) employed")
        let clock = city.view.clock
        var year = entitySums(city, tick: clock.tick - 1, year: clock.year).year
        year.add(city.view.ledger.retiredThisYear)
        #expect(tallyClose(city.view.ledger.thisYear.tally, year))
        let kept = city.world.resource(CommuteTotals.self)!
        let summed = Commutes.makeTotals(world: city.world)
        #expect(kept.tailpipeTonnes == summed.tailpipeTonnes && kept.kWhByIsland == summed.kWhByIsland)
        #expect(kept.commutersByMode == summed.commutersByMode && kept.minutes == summed.minutes && kept.stranded == summed.stranded)
        #expect(kept.rowDifference == summed.rowDifference && kept.columnDifference == summed.columnDifference)
        #expect(kept.commutersByMode[Int(TravelMode.carPetrol.rawValue)] == Int64(aWeekLater.count))
    }

    /// A save from before habits (format 6; see the fixture's README) loads through the
    /// migration: every citizen is given a commute, reconsiders in the first hour, and the city
    /// plays on with its books equal to the sum over its entities; it saves in today's format.
    @Test func aFormat6SaveLoadsAndItsCommutersBookOn() throws {
        let loaded = try loadOlderSave("format6/lesson06-year1.nzsave", format: 6, budget: 34_728_194.441, within: 0.0005, commands: 52)
        var withoutCommute = 0
        loaded.world.query(Read<Citizen>.self).without(Commute.self).forEach { _ in withoutCommute += 1 }
        #expect(withoutCommute == 0)
        #expect(loaded.world.resource(CommuteBook.self)!.reconsiderAll)
        loaded.run(hours: 30)
        var active = 0
        loaded.world.query(Read<Commute>.self).forEach { if $0.active { active += 1 } }
        #expect(active > 100, "every employed citizen chose a commute in the first hour")
        #expect(loaded.view.ledger.thisYear.tally.tonnes(.transport, .direct) > 0)
        try expectBooksBalanceAndTodaysFormat(loaded)
    }

    /// Saving mid-week and loading gives the same city as never saving: the totals rebuilt from
    /// the commutes are the totals kept.
    @Test func aSaveMidWeekContinuesAsIfNeverSaved() throws {
        let straight = randomCity(seed: 33)
        straight.run(hours: 61)
        let loaded = try SaveGame.decode(try straight.saveData(), catalog: testCatalog).city
        for city in [straight, loaded] { city.run(hours: 40) }
        #expect(loaded.world.contentHash() == straight.world.contentHash())
        #expect(loaded.view.ledger.thisYear == straight.view.ledger.thisYear)
    }

    /// A forged commute (a daily figure out of range, or hours beyond the book) is refused with a
    /// message when the save loads.
    /// The year's last hour settles every commuter, so that 1 January's yearly systems (the
    /// certificates' count of the city's electricity, the market, the forecast's scaling) read
    /// whole years from the lines themselves: at the year's turn no line owes an hour, where
    /// many did on the year's last evening.
    @Test func theYearsLastHourSettlesEveryCommuter() throws {
        let city = randomCity(seed: 23)
        city.run(hours: 48)
        // To the year's last evening (the commuters' book counts the hours it booked, not the clock's).
        let year = city.view.clock.year
        city.world.withResource(Clock.self) { $0.set(tick: Int64((Clock.isLeap(year) ? 366 : 365) * 24 - 6)) }
        city.run(hours: 2)
        func owing() -> (commuters: Int, owing: Int) {
            var commuters = 0, owing = 0
            city.world.query(Entity.self, Read<Commute>.self).forEach { entity, commute in
                guard commute.active else { return }
                commuters += 1
                let electricity = try? city.world.get(ElectricityLine.self, of: entity), tailpipe = try? city.world.get(PrimaryLine.self, of: entity)
                if electricity?.flow != city.world.bookedLine(ElectricityLine.self, of: entity)?.flow
                    || tailpipe?.flow != city.world.bookedLine(PrimaryLine.self, of: entity)?.flow { owing += 1 }
            }
            return (commuters, owing)
        }
        let before = owing()
        #expect(before.commuters > 50 && before.owing > 10, "\(before.owing) of \(before.commuters) commuters owe hours")
        while city.view.clock.year == year { city.step() }
        #expect(owing().owing == 0, "no commuter owes an hour at the year's turn")
    }

    @Test func aForgedCommuteIsRefused() throws {
        let city = randomCity(seed: 24)
        city.run(hours: 3)
        var citizen = Entity.none
        city.world.query(Entity.self, Read<Commute>.self).forEach { entity, commute in if commute.active && citizen == .none { citizen = entity } }
        try #require(citizen != .none)
        try city.world.modify(Commute.self, of: citizen) { $0.tailpipeHours = 9_000 }
        #expect(throws: (any Error).self) { try SaveGame.decode(try city.saveData(), catalog: testCatalog) }
    }
}
