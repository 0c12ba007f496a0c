using System.Collections.Concurrent;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Injection.Tasks;

public enum InjectionTaskKind { Sum, Count, Dyck, Program }
