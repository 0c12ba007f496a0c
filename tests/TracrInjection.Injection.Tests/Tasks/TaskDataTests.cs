using System.Text.RegularExpressions;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;

namespace TracrInjection.Injection.Tests.Tasks;

public class TaskDataTests
{
    private static readonly TaskDataOptions Small = new() { PoolSize = 3000, Seed = 42 };

    /// <summary>An independent solver: parses the prompt with a regular expression and computes the answer from scratch.</summary>
    private static string Independent(InjectionTaskKind kind, string prompt)
    {
        switch (kind)
        {
            case InjectionTaskKind.Sum:
            {
                var m = Regex.Match(prompt, @"^(\d+)(?:\.(\d\d))? \+ (\d+)(?:\.(\d\d))? =$");
                Assert.True(m.Success, prompt);
                long a = long.Parse(m.Groups[1].Value) * 100 + (m.Groups[2].Success ? int.Parse(m.Groups[2].Value) : 0);
                long b = long.Parse(m.Groups[3].Value) * 100 + (m.Groups[4].Success ? int.Parse(m.Groups[4].Value) : 0);
                long s = a + b;
                return m.Groups[2].Success ? $"{s / 100}.{s % 100:D2}" : (s / 100).ToString();
            }
            case InjectionTaskKind.Count:
            {
                var m = Regex.Match(prompt, @"^What is the number of 'X' in this text\? ([xyz ]+)\nAnswer:$");
                Assert.True(m.Success, prompt);
                return m.Groups[1].Value.Count(c => c == 'x').ToString();
            }
            default:
            {
                var m = Regex.Match(prompt, @"^Are parenthesis here correctly matched\? ([\(\)\[\]\{\}<>]+)\nAnswer:$");
                Assert.True(m.Success, prompt);
                // Shuffle-Dyck: each type on its own never goes negative and ends at zero.
                foreach (var (open, close) in new[] { ('(', ')'), ('[', ']'), ('{', '}'), ('<', '>') })
                {
                    int depth = 0;
                    foreach (char c in m.Groups[1].Value)
                    {
                        if (c == open) depth++;
                        else if (c == close && --depth < 0) return "no";
                    }
                    if (depth != 0) return "no";
                }
                return "yes";
            }
        }
    }

    public static TheoryData<string> Tasks => new() { "sum", "count", "dyck" };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void EveryLabelMatchesAnIndependentComputation(string name)
    {
        var task = InjectionTask.Get(name);
        var data = task.BuildData(Small, InjectionFixes.All);
        var splits = new List<TaskSplit> { data.Train, data.Validation, data.Test };
        splits.AddRange(data.OodSplitNames.Select(data.Ood));
        foreach (var split in splits)
        {
            foreach (var e in TaskDataset.Sample(split, 300, 1))
            {
                Assert.Equal(Independent(task.Kind, e.Prompt), e.Label);
                Assert.Equal(InjectionTask.Solve(task.Kind, e.Prompt), e.Label);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void GenerationIsDeterministicForASeed(string name)
    {
        var task = InjectionTask.Get(name);
        var a = task.BuildData(Small, InjectionFixes.All);
        var b = task.BuildData(Small, InjectionFixes.All);
        var c = task.BuildData(Small with { Seed = 7 }, InjectionFixes.All);
        Assert.Equal(a.Train.Take(50).ToList(), b.Train.Take(50).ToList());
        Assert.Equal(a.Test.Take(50).ToList(), b.Test.Take(50).ToList());
        foreach (var s in a.OodSplitNames) Assert.Equal(a.Ood(s).Take(30).ToList(), b.Ood(s).Take(30).ToList());
        Assert.NotEqual(a.Train.Take(50).ToList(), c.Train.Take(50).ToList());
        // Train, validation and test never share a pool item (sum pairs are unique).
        if (task.Kind == InjectionTaskKind.Sum)
        {
            var test = a.Test.Select(e => e.Prompt).ToHashSet();
            Assert.DoesNotContain(a.Train.Take(20000), e => test.Contains(e.Prompt));
        }
    }

    [Fact]
    public void SumSplitsHaveThePapersSizesAndShapes()
    {
        var data = InjectionTask.Sum.BuildData(new TaskDataOptions(), InjectionFixes.None);
        Assert.Equal(202_500, data.PoolSize);
        Assert.Equal(4000, data.Test.Count);
        Assert.Equal(100, data.Validation.Count);
        Assert.Equal(202_500 - 4100, data.Train.Count);
        Assert.Equal(["length_ood", "cascading_overflow", "decimals"], data.OodSplitNames);
        Assert.Equal(4500, data.Ood("cascading_overflow").Count);
        Assert.All(data.Ood("cascading_overflow"), e => Assert.Contains(e.Label, new[] { "100", "200", "300", "400", "500", "600", "700", "800", "900" }));
        Assert.Equal(new TaskExample("213 + 391 =", "604"), SumTask.Example(213, 391));
        Assert.Equal(" 604", SumTask.Example(213, 391).Target);
        Assert.All(data.Ood("decimals").Take(200), e => Assert.Matches(@"^\d+\.\d\d$", e.Label));
        // length_ood ignores min_int (paper quirk): most items have a 4-digit operand, some are fully in range.
        var lengths = data.Ood("length_ood").Select(e => e.Prompt.Split(' ')).ToList();
        Assert.True(lengths.Count(p => p[0].Length == 4 || p[2].Length == 4) > 3500);
        Assert.Equal(4000, lengths.Select(p => p[0] + "+" + p[2]).Distinct().Count());
        var improved = InjectionTask.Sum.BuildData(new TaskDataOptions(), InjectionFixes.All);
        Assert.Contains("length_ood_4digit", improved.OodSplitNames);
        Assert.All(improved.Ood("length_ood_4digit"), e => Assert.All(e.Prompt.TrimEnd('=', ' ').Split(" + "), n => Assert.InRange(int.Parse(n), 1000, 4499)));
    }

    [Fact]
    public void CountSplitsFollowThePaper()
    {
        var data = InjectionTask.Count.BuildData(new TaskDataOptions { PoolSize = 20_000 }, InjectionFixes.None);
        Assert.All(data.Train.Take(2000), e => Assert.Contains(" y", e.Prompt)); // sequences without y are removed
        var distinct = data.Train.Take(5000).Select(e => e.Prompt).ToList();
        Assert.Equal(distinct.Count, distinct.Distinct().Count());
        Assert.Equal(40, data.Ood("x_only").Count);
        Assert.Equal("40", data.Ood("x_only")[39].Label);
        Assert.Equal(data.Test.Count, data.Ood("replace_y").Count);
        Assert.Equal(data.Test[3].Label, data.Ood("replace_y")[3].Label);
        Assert.DoesNotContain(" y", data.Ood("replace_y")[3].Prompt);
        var lengths = data.Ood("length_ood").Select(e => e.Prompt.Split('?')[1].Split('\n')[0].Trim().Split(' ').Length).ToList();
        Assert.InRange(lengths.Max(), 100, 120);
        Assert.True(lengths.Min() >= 5);
        Assert.Equal("What is the number of 'X' in this text? x y x\nAnswer:", CountTask.Example("x y x", 2).Prompt);
    }

    [Fact]
    public void DyckPoolIsHalfCorrectAndOodSplitsFollowThePaper()
    {
        var data = InjectionTask.Dyck.BuildData(new TaskDataOptions { PoolSize = 20_000 }, InjectionFixes.None);
        double yes = data.Test.Average(e => e.Label == "yes" ? 1.0 : 0.0);
        Assert.InRange(yes, 0.45, 0.56);
        Assert.All(data.Ood("almost_balanced"), e => Assert.Equal("no", e.Label));
        var ab = data.Ood("almost_balanced").Select(e => e.Prompt.Split("? ")[1].Split('\n')[0].Length).ToList();
        Assert.InRange(ab.Min(), 14, 20);
        Assert.InRange(ab.Max(), 80, 89);
        Assert.Contains(data.Ood("ood_new_token"), e => e.Prompt.Contains('<'));
        var lengths = data.Ood("length_ood").Select(e => e.Prompt.Split("? ")[1].Split('\n')[0].Length).ToList();
        Assert.True(lengths.Max() > 80 && lengths.Min() >= 5);
        Assert.True(DyckTask.IsShuffleDyck("[(])"));
        Assert.False(DyckTask.IsShuffleDyck(")("));
    }
}
