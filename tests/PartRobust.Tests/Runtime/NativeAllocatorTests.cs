using Xunit;

namespace PartRobust.Tests.Runtime;

// What the settings gain is measured by bench/StepProfile (docs/benchmarks.md), not here: page faults and step times
// depend on the machine and on what else the process does.
public class NativeAllocatorTests
{
    [Fact]
    public void Is_applied_on_linux()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("PARTROBUST_MALLOC") == "default") return;
        Assert.True(NativeAllocator.Apply());
        Assert.True(NativeAllocator.Applied);
    }
}
