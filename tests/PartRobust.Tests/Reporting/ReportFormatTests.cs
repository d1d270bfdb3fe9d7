using PartRobust.Attacks;
using PartRobust.Reporting;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class ReportFormatTests
{
    [Fact]
    public void Numbers_are_written_the_same_way_in_every_report()
    {
        Assert.Equal("42.5%", ReportFormat.Pct(0.425));
        Assert.Equal("43%", ReportFormat.WholePct(0.425));
        Assert.Equal("4.5", ReportFormat.Pts(0.045));
        Assert.Equal("+3.1", ComparisonsSection.Signed(0.031));
        Assert.Equal("−3.1", ComparisonsSection.Signed(-0.031));
        Assert.Equal("< 0.001", ComparisonsSection.PValue(0.0001));
        Assert.Equal("—", ComparisonsSection.PValue(null));
        Assert.Equal("1.5 min", ReportFormat.Duration(90));
    }

    [Fact]
    public void Markdown_cells_lists_and_links_are_escaped()
    {
        Assert.Equal("a\\|b c", ReportFormat.Cell("a|b\nc"));
        Assert.Equal("a, b, and c", ReportFormat.JoinAnd(["a", "b", "c"]));
        Assert.Equal("a and b", ReportFormat.JoinAnd(["a", "b"]));
        string root = Path.GetFullPath("run");
        Assert.Equal("figs/a%20b.png", ReportFormat.Link(root, Path.Combine(root, "figs", "a b.png")));
    }

    [Fact]
    public void The_part_attack_columns_follow_the_attack_registry()
    {
        var columns = ReportWriter.OrderAttacks(["worst_case", .. AttackRegistry.PartAttackNames.Reverse(), "autoattack", "pgd", "pgd-10"]);
        Assert.Equal(["pgd-10", "pgd", "autoattack", .. AttackRegistry.PartAttackNames, "worst_case"], columns);
    }
}
