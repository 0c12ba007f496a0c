using TracrInjection.Injection.Data;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Tests.Training;

public class SupervisedBatchTests
{
    [Fact]
    public void PaperMaskCountsCharactersAndSoCoversTheEosAfterAShortAnswer()
    {
        var tok = Gpt2Tokenizer.Create();
        var e = CountTask.Example(string.Join(' ', Enumerable.Repeat("x y", 6)), 12);
        int prompt = tok.Encode(e.Prompt).Length;
        var paper = new SupervisedBatchBuilder(tok, tok.EndOfTextId, 47, tokenExactMask: false).Build([e]);
        Assert.Equal(47, paper.Length);
        // " 12" is one token but two characters: predictions of " 12" and of the EOS after it.
        Assert.Equal([prompt - 1, prompt], paper.CePositions);
        Assert.Equal([tok.Encode(" 12")[0], tok.EndOfTextId], paper.CeTargets.Select(x => (int)x));
        var exact = new SupervisedBatchBuilder(tok, tok.EndOfTextId, 47, tokenExactMask: true).Build([e]);
        Assert.Equal([prompt - 1], exact.CePositions);
        Assert.Equal(prompt + 1, exact.RealTokens);
    }

    [Fact]
    public void TruncationDropsTheAnswerOfLongItemsUnlessDisabled()
    {
        var tok = Gpt2Tokenizer.Create(Gpt2TokenizerVariant.SplitBrackets);
        var longItem = DyckTask.Example(new string('(', 15) + new string(')', 15), true); // 30 brackets + 12 template tokens
        var shortItem = DyckTask.Example("()[]{}", true);
        var paper = new SupervisedBatchBuilder(tok, tok.EndOfTextId, 37, false).Build([longItem, shortItem]);
        Assert.Equal(37, paper.Length);
        Assert.All(paper.CePositions, p => Assert.True(p >= 37)); // nothing left of the long item's answer
        var full = new SupervisedBatchBuilder(tok, tok.EndOfTextId, null, true).Build([longItem, shortItem]);
        Assert.Equal(tok.Encode(longItem.Text).Length, full.Length);
        Assert.Equal(2, full.CePositions.Length);
        Assert.Equal(tok.Encode(" yes")[0], (int)full.CeTargets[0]);
        // The short item is right-padded with EOS and its padding is not real.
        int shortLen = tok.Encode(shortItem.Text).Length;
        Assert.Equal(tok.EndOfTextId, full.Ids[full.Length + shortLen]);
        Assert.Equal(0, full.RealMask[full.Length + shortLen]);
    }
}

public class OptionsTests
{
    [Fact]
    public void PresetsDifferOnlyByTheFixesAndTheirCompanions()
    {
        var paper = InjectionOptions.ForPreset(InjectionPreset.Paper, "int-sum");
        Assert.Equal("sum", paper.Task);
        Assert.Equal(InjectionFixes.None, paper.Fixes);
        Assert.Equal(1e-6, paper.LmLearningRate);
        Assert.Equal(1e-4, paper.AdapterLearningRate);
        Assert.Equal(0.01, paper.WeightDecay);
        Assert.Equal(20_000, paper.Steps);
        Assert.Equal(15, paper.EffectiveMaxLength);
        Assert.Equal(16, paper.EffectiveTeacherMaxSeqLen);
        var improved = InjectionOptions.ForPreset(InjectionPreset.Improved, "dyck");
        Assert.Equal(InjectionFixes.All, improved.Fixes);
        Assert.Null(improved.EffectiveMaxLength);
        Assert.Equal(48, improved.EffectiveTeacherMaxSeqLen);
        Assert.All(InjectionFixes.Catalogue, f => Assert.True(InjectionFixes.All.IsOn(f.Name)));
        Assert.All(InjectionFixes.Catalogue, f => Assert.False(InjectionFixes.None.IsOn(f.Name)));
    }

    [Fact]
    public void FixesParseForAblations()
    {
        var f = InjectionFixes.Parse("map_operators,no_truncation", InjectionFixes.None);
        Assert.Equal(["map_operators", "no_truncation"], f.Enabled);
        Assert.Equal(InjectionFixes.All with { RepairTracrBugs = false }, InjectionFixes.Parse("all,-repair_tracr_bugs", InjectionFixes.None));
        Assert.Throws<ArgumentException>(() => InjectionFixes.Parse("no_such_fix", InjectionFixes.None));
    }

    [Fact]
    public void OptionsRoundTripThroughJsonAndValidate()
    {
        var o = InjectionOptions.ForPreset(InjectionPreset.Improved, "count") with { Steps = 7, Baseline = true, Data = new TaskDataOptions { PoolSize = 999 } };
        var back = InjectionOptions.FromJson(o.ToJson());
        Assert.Equal(o.ToJson(), back.ToJson());
        Assert.Equal(o.Fixes, back.Fixes);
        Assert.Contains("\"count_split_digits\": true", o.ToJson());
        Assert.Throws<ArgumentException>(() => (o with { Steps = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (o with { Task = "mult" }).Validate());
        Assert.Throws<ArgumentException>(() => (o with { LmLearningRate = double.NaN }).Validate());
    }
}
