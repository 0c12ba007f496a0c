using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's load: resolving, running and caching loaded files, and which names they export.
public sealed partial class Interpreter
{
    private List<string> Load(LoadStmt l, Scope into)
    {
        var file = _sources.Resolve(l.Path, l.Pos.File.Directory)
                   ?? throw Err(l.PathPos, $"cannot find the file \"{l.Path}\"" +
                                           (l.Path.EndsWith(".rasp", StringComparison.Ordinal) ? "" : " (nor \"" + l.Path + ".rasp\")") +
                                           $" next to {l.Pos.File.Name}" + (l.Pos.File.Directory is null ? " (relative to the current directory)" : ""));
        var module = LoadModule(file, l.Pos, l.PathPos);
        var names = new List<string>();
        foreach (var (name, value) in module.Vars)
        {
            if (name.StartsWith('_')) continue; // private to its file, as in the original RASP
            into.Vars[name] = value;
            names.Add(name);
        }
        return names;
    }

    /// <summary>Runs a file once per program (later loads reuse its names, like a Python module) and returns its scope.</summary>
    private Scope LoadModule(ResolvedFile file, SourcePos from, SourcePos? pathPos = null)
    {
        string key = file.Key;
        int cycleAt = _loading.IndexOf(key);
        if (cycleAt >= 0 || key == _mainKey)
        {
            var chain = _loading.Skip(Math.Max(cycleAt, 0)).Select(DisplayOf).Append(file.Source.Name);
            if (cycleAt < 0) chain = new[] { DisplayOf(_mainKey!) }.Concat(_loading.Select(DisplayOf)).Append(file.Source.Name);
            throw Err(pathPos ?? from, "circular load: " + string.Join(" -> ", chain));
        }
        if (!_modules.TryGetValue(key, out var module))
        {
            module = NewModule();
            _loading.Add(key);
            _displayNames[key] = file.Source.Name;
            try
            {
                var stmts = Parser.ParseProgram(file.Source);
                foreach (var s in stmts) ExecTopLevel(s, module);
            }
            catch (RaspProgramException e)
            {
                e.Notes.Add($"while loading {file.Source.Name} from {from}");
                throw;
            }
            finally
            {
                _loading.RemoveAt(_loading.Count - 1);
            }
            _modules[key] = module;
            LoadedFiles.Add(file.Source.Name);
        }
        return module;
    }

    private readonly Dictionary<string, string> _displayNames = new(StringComparer.Ordinal);
    private string? _mainKey;

    private string DisplayOf(string key) => _displayNames.GetValueOrDefault(key, key);

    /// <summary>Marks the file being run as the main one (so that loading it again is reported as a cycle).</summary>
    public void SetMainFile(SourceFile file)
    {
        _mainKey = RaspSources.KeyOf(file);
        if (_mainKey is not null) _displayNames[_mainKey] = file.Name;
    }
}
