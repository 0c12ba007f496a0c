using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;

namespace TracrInjection.Injection.Tests.Experiments;

public class RecipeAndItemsTests
{
    [Theory]
    [InlineData("dyck")]
    [InlineData("count")]
    [InlineData("sum")]
    public void ThePaperRecipeIsThePaperPresetUnchanged(string task)
    {
        Assert.Equal(InjectionOptions.ForPreset(InjectionPreset.Paper, task).ToJson(), TaskRecipes.For(InjectionPreset.Paper, task).ToJson());
        var improved = TaskRecipes.For(InjectionPreset.Improved, task);
        Assert.Equal(InjectionFixes.All, improved.Fixes);
        Assert.Equal(improved.Steps / 2, improved.RollWarmupSteps);
        Assert.Equal([0.0, 5, 10, 30], improved.Evaluation.CausalAbsoluteNorms!);
        Assert.Null(improved.Evaluation.MaxItemsPerSplit); // every item: the paper's 4,000 per split
        improved.Validate();
        var shorter = TaskRecipes.WithSteps(improved, 40);
        Assert.Equal((40L, 20L), (shorter.Steps, shorter.RollWarmupSteps));
    }

    [Fact]
    public void PerItemResultsRoundTrip()
    {
        bool[] items = [true, false, false, true, true];
        Assert.Equal("10011", ItemResults.Encode(items));
        Assert.Equal(items, ItemResults.Decode("10011"));
        Assert.Throws<InvalidDataException>(() => ItemResults.Decode("10x"));
        string dir = Path.Combine(Path.GetTempPath(), "items-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Assert.Null(ItemResults.Load(dir));
            new ItemResults { Splits = new Dictionary<string, string> { ["in_distribution"] = "10011" }, InDistributionAnswerDigits = [1, 2, 1, 1, 2] }.Save(dir);
            var back = ItemResults.Load(dir)!;
            Assert.Equal(items, back.Split("in_distribution"));
            Assert.Null(back.Split("length_ood"));
            Assert.Equal([1, 2, 1, 1, 2], back.InDistributionAnswerDigits!);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
