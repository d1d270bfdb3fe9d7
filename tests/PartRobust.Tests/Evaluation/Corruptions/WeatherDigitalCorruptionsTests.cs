using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

public class WeatherDigitalCorruptionsTests
{
    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in WeatherDigitalCorruptions.All) d.Add(c.Name);
        return d;
    }

    static ICorruption Get(string name) => WeatherDigitalCorruptions.All.Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(Names))]
    public void Deterministic_in_range_and_same_length_for_both_tables(string name)
    {
        var c = Get(name);
        foreach (var (w, h) in new[] { (32, 32), (64, 48), (7, 5) })
        {
            var img = CorruptionTestImages.Natural(w, h);
            foreach (var table in new[] { CorruptionTable.ImageNet, CorruptionTable.Cifar10 })
                for (int s = 1; s <= 5; s++)
                {
                    var a = c.Apply(img, w, h, s, 42, table);
                    var b = c.Apply(img, w, h, s, 42, table);
                    Assert.Equal(img.Length, a.Length);
                    Assert.Equal(a, b);
                    Assert.All(a, v => Assert.InRange(v, 0f, 1f));
                }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Harsher_with_severity(string name)
    {
        var c = Get(name);
        foreach (var (w, h) in new[] { (32, 32), (64, 48) })
        {
            var img = CorruptionTestImages.Natural(w, h);
            foreach (var table in new[] { CorruptionTable.ImageNet, CorruptionTable.Cifar10 })
            {
                var psnr = Enumerable.Range(1, 5).Select(s => CorruptionTestImages.Psnr(img, c.Apply(img, w, h, s, 7, table))).ToArray();
                // saturate's reference table is not monotone: severity 3 (S·2 or S·1.5) is milder than severity 2 (S·0.1).
                // pixelate on the CIFAR table shrinks 32 px to 30/28/27/24/20 (factors .95….65): neighbouring non-integer ratios alias
                // differently under Pillow's BOX-down/NEAREST-up, so only severity s vs s−2 is required (a property of the reference).
                bool pixelCifar = name == "pixelate" && table == CorruptionTable.Cifar10;
                // frost: the error c1·f − (1−c0)·x of the reference blend is not monotone in PSNR: whether lowering the image
                // weight c0 (ImageNet 3→4: .7→.65 at the same c1) moves the output towards or away from the clean image depends
                // on the frost/image brightness ratio. Only the first step and severity 5 vs 1 are required.
                // spatter switches from water (severities 1–3) to mud (4–5), so only steps within a mode are required, plus 5 vs 1.
                // CIFAR-10-C's severity 3 is water with noise scale .3 (about 19% of pixels wet) while its mud severities use
                // scale .1 (4–7% of pixels): severity 4 is milder than 3 for every seed (mean PSNR over 40 seeds on 32×32:
                // 29.7, 25.4, 22.1, 25.7, 23.4). ImageNet's water 2→3 and water 3→mud 4 steps differ by only 0.1–0.4 dB on the
                // mean at 32–64 px (the table is sized for 224 px; SpatterTests checks the full order there), so one seed can
                // invert them; water 1→2 and mud 4→5 held for all 40 seeds at both sizes.
                bool spatter = name == "spatter";
                // elastic_transform on the CIFAR table: make_cifar_c's random affine jitter falls with severity (2.56, 2.24, 1.92,
                // 1.6, 0.96 px) while its elastic field grows, and the affine shift dominates PSNR, so PSNR rises with severity
                // (e.g. 15.6, 16.4, 17.6, 18.5, 20.6 dB at seed 7 on 32×32): a property of the reference table. Every severity must
                // still change the image clearly.
                bool elasticCifar = name == "elastic_transform" && table == CorruptionTable.Cifar10;
                if (elasticCifar) { Assert.All(psnr, p => Assert.True(p < 30, string.Join(", ", psnr))); continue; }
                int[] pairs = name == "saturate" ? new[] { 1, 3, 4 } : name == "frost" ? new[] { 1 }
                    : spatter ? (table == CorruptionTable.Cifar10 ? new[] { 1, 2, 4 } : new[] { 1, 4 })
                    : pixelCifar ? Array.Empty<int>() : new[] { 1, 2, 3, 4 };
                if (pixelCifar) Assert.True(psnr[4] < psnr[2] && psnr[3] < psnr[1] && psnr[2] < psnr[0], string.Join(", ", psnr));
                foreach (int s in pairs)
                    Assert.True(psnr[s] < psnr[s - 1], $"{name} {table} {w}x{h}: PSNR sev {s + 1} = {psnr[s]:F2} not below sev {s} = {psnr[s - 1]:F2} ({string.Join(", ", psnr.Select(p => p.ToString("F2")))})");
                if (name is "frost" or "spatter") Assert.True(psnr[4] < psnr[0], string.Join(", ", psnr));
                Assert.All(psnr, p => Assert.True(p < 200));
            }
        }
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        var img = CorruptionTestImages.Natural(4, 4);
        foreach (var c in WeatherDigitalCorruptions.All)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => c.Apply(img, 4, 4, 0, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => c.Apply(img, 4, 4, 6, 1));
            Assert.Throws<ArgumentException>(() => c.Apply(img, 4, 5, 1, 1));
        }
    }
}
