// Offsets.swift — offset credits from new forests and wetlands, their sale, and reversals.
//
// Integrity rules (杨博文 on Article 6; 汪阳 and 柯华 on personal carbon trading; docs/sources.md):
//   - additionality: with the offset programme on, a forest or wetland the player plants is
//     registered as a project; zones that existed before are not additional and earn nothing.
//     Each year a project is credited its removals beyond its baseline (the share natural
//     regrowth would have achieved anyway, `offsets.afforestation_baseline_share`);
//   - permanence: `offsets.buffer_share` of each issuance goes to a buffer pool; when a credited
//     zone burns, credits for the carbon it released are cancelled from the pool (then from the
//     city's own credits); a demolished project cancels its credits from the city first;
//   - corresponding adjustment: a credit sold outside the city (`sell_offsets N`) transfers the
//     removal to the buyer, so it comes off the city's own balance — `CarbonPosition` shows the
//     inventory and the position after transfers side by side. A credit a covered firm in the
//     city surrenders stays inside the city's inventory: nothing is adjusted.
//
// Phase simulate, "offsets.register": new zones from the command log become projects.
// Phase account, "offsets.year" (after clock.advance): each day, reversals of burnt or demolished
//   projects; on 1 January, credits for the closed year.
import ECS

public struct OffsetProject: Sendable, Equatable, Codable {
    public var entity: Entity
    public var x: Int, y: Int
    public var kind: ZoneKind
    public var registeredYear: Int
    /// Credits issued to the city for it, and credits cancelled after its reversals.
    public var issued: Int64 = 0
    public var reversed: Int64 = 0
    /// Removals beyond the baseline credited so far, city and buffer shares, tCO2e.
    public var credited = 0.0
    /// The city's share not yet issued as a whole credit.
    public var carry = 0.0
    public var burnsSeen = 0
    public var active = true
}

public struct OffsetYear: Sendable, Equatable, Codable {
    public var year: Int
    /// Removals of registered projects, and the part the baseline keeps back, tCO2e.
    public var projectRemovals = 0.0
    public var baseline = 0.0
    public var issued: Int64 = 0
    public var buffered: Int64 = 0
    public var exported: Int64 = 0
    public var exportRevenue = 0.0
    public var reversed: Int64 = 0
    /// Reversals the buffer and the city's credits could not cover, tCO2e.
    public var uncovered: Int64 = 0
    public init(year: Int) { self.year = year }
}

public struct OffsetBook: Sendable, Equatable, SavedResource {
    public internal(set) var projects: [OffsetProject] = []
    public internal(set) var cityAccount: RegistryAccountID = -1
    public internal(set) var bufferAccount: RegistryAccountID = -1
    public internal(set) var years: [OffsetYear] = []
    public internal(set) var thisYear: OffsetYear
    /// The buffer pool's share of all projects not yet issued as a whole credit.
    var bufferCarry = 0.0
    public init(year: Int) { thisYear = OffsetYear(year: year) }

    public var totalExported: Int64 { years.reduce(thisYear.exported) { $0 + $1.exported } }
}

/// The city's carbon balance in a year before and after credits changed hands.
public struct CarbonPosition: Sendable, Equatable {
    public var year: Int
    /// What the ledger books in the city (direct + embodied, removals negative), tCO2e.
    public var inventoryNet: Double
    /// Credits sold outside the city: removals now claimed by their buyers.
    public var exportedCredits: Double
    /// inventoryNet + exportedCredits.
    public var afterTransfers: Double { inventoryNet + exportedCredits }
}

public enum Offsets: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("offsets", OffsetBook.self) { OffsetBook(year: $0.clock.year) }
        // In the input phase, so that a paused game's commands register before it can be saved.
        sim.system("offsets.register", Phase.input, reads: [GreenZone.self],
                   readsResources: [Clock.self, Policies.self, TileMap.self],
                   writesResources: [OffsetBook.self, CarbonRegistry.self], after: ["input.networks"], run: registerProjects)
        sim.system("offsets.year", Phase.account, reads: [GreenZone.self, PrimaryLine.self],
                   readsResources: [Catalog.self, Clock.self, Policies.self, TileMap.self],
                   writesResources: [OffsetBook.self, CarbonRegistry.self, LevelRules.self],
                   after: ["clock.advance", "certificates.year"], before: ["level.rules"], run: { ctx in
            let clock = ctx.world.resource(Clock.self)!
            guard clock.isNewDay else { return }
            checkReversals(world: ctx.world, tick: clock.tick)
            if clock.isNewYear { issueYear(world: ctx.world, year: clock.year - 1, tick: clock.tick) }
        })
    }

    static func ensureAccounts(_ book: inout OffsetBook, _ registry: inout CarbonRegistry) {
        if book.cityAccount < 0 {
            book.cityAccount = registry.openAccount(.project, name: Names(en: "City afforestation programme", zh: "城市造林项目"))
        }
        if book.bufferAccount < 0 {
            book.bufferAccount = registry.openAccount(.bufferPool, name: Names(en: "Buffer pool", zh: "缓冲池"))
        }
    }

    /// Forests and wetlands the player has just built become projects (programme on).
    static func registerProjects(_ ctx: SystemContext) {
        let world = ctx.world
        let applied = ctx.readEvents(CommandApplied.self)
        guard !applied.isEmpty, (world.resource(Policies.self)?.offsetProgramme ?? 0) > 0 else { return }
        let map = world.resource(TileMap.self)!
        let year = world.resource(Clock.self)!.year
        world.withResource(OffsetBook.self) { book in
            for event in applied {
                guard case .build(.zone(let kind), let x, let y) = event.record.command, case .done = event.record.outcome,
                      kind == .forest || kind == .wetland, map.contains(x, y) else { continue }
                let entity = map.occupant[map.index(x, y)]
                guard world.isAlive(entity), !book.projects.contains(where: { $0.entity == entity }) else { continue }
                book.projects.append(OffsetProject(entity: entity, x: x, y: y, kind: kind, registeredYear: year))
            }
        }
    }

    /// Credits for the closed year: removals beyond the baseline, part to the buffer pool.
    static func issueYear(world: World, year: Int, tick: Int64) {
        world.resourceScope(OffsetBook.self, CarbonRegistry.self) { book, registry in
            let carbon = world.resource(Catalog.self)!.carbon
            var record = book.thisYear
            record.year = year
            book.thisYear = OffsetYear(year: year + 1)
            if !book.projects.isEmpty { ensureAccounts(&book, &registry) }
            for i in book.projects.indices where book.projects[i].active {
                guard let line = try? world.get(PrimaryLine.self, of: book.projects[i].entity), line.flow.year == year else { continue }
                let removals = max(0, -line.flow.yearTonnes)
                let eligible = removals * (1 - carbon.afforestationBaselineShare)
                let cityTonnes = eligible * (1 - carbon.bufferShare) + book.projects[i].carry
                let toCity = Int64(cityTonnes.rounded(.down))
                book.projects[i].carry = cityTonnes - Double(toCity)
                book.projects[i].credited += eligible
                book.bufferCarry += eligible * carbon.bufferShare
                record.projectRemovals += removals
                record.baseline += removals * carbon.afforestationBaselineShare
                if toCity > 0 {
                    try? registry.issue(.offset, count: toCity, vintage: year, to: book.cityAccount, tick: tick,
                                        note: "project (\(book.projects[i].x), \(book.projects[i].y))")
                }
                book.projects[i].issued += toCity
                record.issued += toCity
            }
            // The buffer pool takes its share of every project together, in whole credits.
            let buffer = Int64(book.bufferCarry.rounded(.down))
            if buffer > 0 {
                try? registry.issue(.offset, count: buffer, vintage: year, to: book.bufferAccount, tick: tick, note: "buffer pool")
                book.bufferCarry -= Double(buffer)
                record.buffered = buffer
            }
            book.years.append(record)
        }
    }

    /// A burnt project cancels credits for the share of its stock it lost, from the buffer pool
    /// first; a demolished one cancels all its credits, from the city's own first.
    static func checkReversals(world: World, tick: Int64) {
        guard var book = world.resource(OffsetBook.self), book.projects.contains(where: \.active) else { return }
        world.withResource(CarbonRegistry.self) { registry in
            let catalog = world.resource(Catalog.self)!
            var changed = false
            for i in book.projects.indices where book.projects[i].active {
                let project = book.projects[i]
                let outstanding = max(0, project.credited - Double(project.reversed))
                var lost: Int64 = 0
                var bufferFirst = true
                if let zone = try? world.get(GreenZone.self, of: project.entity) {
                    guard zone.burns > project.burnsSeen else { continue }
                    book.projects[i].burnsSeen = zone.burns
                    lost = Int64((outstanding * catalog.zone(project.kind).releaseOnFire).rounded(.up))
                } else {
                    book.projects[i].active = false
                    lost = Int64((outstanding * catalog.zone(project.kind).releaseOnDemolition).rounded(.up))
                    bufferFirst = false
                }
                changed = true
                guard lost > 0, book.cityAccount >= 0 else { continue }
                var left = lost
                for account in bufferFirst ? [book.bufferAccount, book.cityAccount] : [book.cityAccount, book.bufferAccount] where left > 0 {
                    let count = min(left, registry.balance(account, .offset))
                    guard count > 0, (try? registry.cancel(.offset, count: count, from: account, tick: tick,
                                                           note: "reversal at (\(project.x), \(project.y))")) != nil else { continue }
                    left -= count
                }
                book.projects[i].reversed += lost - left
                book.thisYear.reversed += lost - left
                book.thisYear.uncovered += left
                let cancelled = lost - left
                Rules.post(.event, world: world, Names(en: "Offset reversal at (\(project.x), \(project.y)): \(cancelled) credits cancelled",
                                             zh: "抵消项目（\(project.x), \(project.y)）发生逆转：注销 \(cancelled) 个信用"), tick: tick)
            }
            if changed { world.insertResource(book) }
        }
    }

    /// Sells `count` of the city's credits to a buyer outside the city (a `sell_offsets` command).
    static func sell(count: Int, world: World) -> CommandOutcome {
        guard count > 0 else { return .refused(.sellAtLeastOne) }
        guard var book = world.resource(OffsetBook.self), book.cityAccount >= 0, var registry = world.resource(CarbonRegistry.self) else {
            return .refused(.noOffsetCredits)
        }
        let held = registry.balance(book.cityAccount, .offset)
        guard held >= Int64(count) else { return .refused(.notEnoughOffsetCredits(held: held, asked: count)) }
        let tick = world.resource(Clock.self)!.tick
        do {
            try registry.export(.offset, count: Int64(count), from: book.cityAccount, tick: tick, note: "sold outside the city")
        } catch {
            return .refused(.registry(error.description))
        }
        let revenue = Double(count) * world.resource(Catalog.self)!.carbon.offsetExportPrice
        book.thisYear.exported += Int64(count)
        book.thisYear.exportRevenue += revenue
        world.insertResource(book)
        world.insertResource(registry)
        world.withResource(Budget.self) { $0.earn(revenue) }
        world.book(.offsetSales, revenue)
        return .done(cost: -revenue)
    }
}

extension CityView {
    /// The city's balance in `year` before and after credits were sold outside it (this year so far if not closed).
    public func carbonPosition(year: Int) -> CarbonPosition {
        let ledger = world.resource(Ledger.self)!
        let period = ledger.years.last { $0.start.year == year } ?? ledger.thisYear
        let book = world.resource(OffsetBook.self)
        let exported = (book?.years.last { $0.year == year } ?? (book?.thisYear.year == year ? book?.thisYear : nil))?.exported ?? 0
        return CarbonPosition(year: year, inventoryNet: period.net, exportedCredits: Double(exported))
    }
}
