using PartRobust.Evaluation.Robustness;
using Xunit;

namespace PartRobust.Tests.Evaluation.Robustness;

public sealed class RobustnessSuitesTests
{
    [Theory]
    [InlineData("1-5", new[] { 1, 2, 3, 4, 5 })]
    [InlineData("3", new[] { 3 })]
    [InlineData("5,1,3", new[] { 1, 3, 5 })]
    [InlineData("1-2, 4-5", new[] { 1, 2, 4, 5 })]
    public void Severities_parse(string text, int[] expected) => Assert.Equal(expected, RobustnessSuites.ParseSeverities(text));

    [Theory]
    [InlineData("0-5")]
    [InlineData("6")]
    [InlineData("3-1")]
    [InlineData("a")]
    [InlineData("")]
    [InlineData("1-2-3")]
    public void Bad_severities_name_the_flag(string text) =>
        Assert.Contains("--severities", Assert.Throws<ArgumentException>(() => RobustnessSuites.ParseSeverities(text)).Message);

    [Fact]
    public void Suites_parse_and_describe()
    {
        Assert.Equal(RobustnessSuite.All, RobustnessSuites.Parse("all"));
        Assert.Equal(RobustnessSuite.Corruptions | RobustnessSuite.Background, RobustnessSuites.Parse("background, corruptions"));
        Assert.Equal(["corruptions", "texture", "background"], RobustnessSuites.Describe(RobustnessSuite.All));
        Assert.Contains("'colour'", Assert.Throws<ArgumentException>(() => RobustnessSuites.Parse("texture,colour")).Message);
        Assert.Contains("--suite", Assert.Throws<ArgumentException>(() => RobustnessSuites.Parse(",")).Message);
    }
}
