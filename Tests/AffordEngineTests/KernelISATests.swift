import CAffordKernels
import Testing

@Suite struct KernelISATests {
    @Test func portableIsAlwaysSupported() {
        #expect(kernelSupports(AFK_ISA_PORTABLE))
        #expect(kernelSupports(afk_detect_isa()))
    }

    @Test func namesRoundTripThroughTheCap() {
        for isa in allKernelISAs where kernelSupports(isa) {
            #expect(afk_detect_isa_capped(afk_isa_name(isa)) == isa, "\(kernelName(isa))")
        }
    }

    /// The cap only lowers the choice; an unknown name leaves it to the CPU.
    @Test func capGoesDownwardsOnly() {
        let best = afk_detect_isa_capped(nil)
        #expect(afk_detect_isa_capped("portable") == AFK_ISA_PORTABLE)
        #expect(afk_detect_isa_capped("avx512_vnni") == best)
        #expect(afk_detect_isa_capped("no-such-isa") == best)
        for isa in allKernelISAs {
            let capped = afk_detect_isa_capped(afk_isa_name(isa))
            #expect(capped.rawValue <= max(isa.rawValue, AFK_ISA_PORTABLE.rawValue) && kernelSupports(capped))
        }
    }
}
