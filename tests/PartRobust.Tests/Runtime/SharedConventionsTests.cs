using System.Text.Json;
using PartRobust.Reporting;
using PartRobust.Training;
using Xunit;

namespace PartRobust.Tests.Runtime;

/// <summary>The conventions every layer shares: named registries, JSON names and enum choices.</summary>
public class SharedConventionsTests
{
    [Fact]
    public void A_registry_keeps_its_order_and_names_the_choices_for_an_unknown_name()
    {
        var registry = new NamedRegistry<int>("widget", ("b", 2), ("a", 1));
        Assert.Equal(["b", "a"], registry.Names);
        Assert.Equal(1, registry["a"]);
        Assert.Equal(1, registry.IndexOf("a"));
        Assert.False(registry.Contains("A"));
        Assert.Equal("unknown widget 'c'; expected one of: b, a", Assert.Throws<ArgumentException>(() => registry["c"]).Message);
        Assert.Throws<ArgumentException>(() => new NamedRegistry<int>("widget", ("a", 1), ("a", 2)));
    }

    [Fact]
    public void Enum_choices_are_stored_and_parsed_by_their_snake_case_names()
    {
        Assert.Equal("\"trades\"", JsonSerializer.Serialize(AdversarialRecipe.Trades));
        Assert.Equal("\"adamw\"", JsonSerializer.Serialize(OptimizerKind.Adamw, JsonFiles.Options));
        Assert.Equal(MaskingCheckStatus.Warn, JsonSerializer.Deserialize<MaskingCheckStatus>("\"warn\""));
        Assert.Equal(OptimizerKind.Sgd, SnakeCaseEnum.Parse<OptimizerKind>("sgd", "--optimizer"));
        Assert.Equal("--optimizer rmsprop: expected adamw or sgd",
            Assert.Throws<ArgumentException>(() => SnakeCaseEnum.Parse<OptimizerKind>("rmsprop", "--optimizer")).Message);
        // Numbers and other spellings are refused: a config file says the word, as the flag does.
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<OptimizerKind>("1"));
        Assert.Contains("is not one of adamw, sgd", Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<OptimizerKind>("\"Adamw\"")).Message);
    }

    [Fact]
    public void Config_records_are_written_with_snake_case_names()
    {
        var json = JsonSerializer.Serialize(new PartRobust.Runs.ExperimentConfig(), JsonFiles.Options);
        Assert.Contains("\"train_size\":", json);
        Assert.Contains("\"autoattack_points\":", json);
        Assert.Contains("\"adv_train\": \"pgd\"", json);
        Assert.DoesNotContain("\"TrainSize\"", json);
    }
}
