
namespace TracrInjection.Injection.Tasks;

public enum InjectionTaskKind { Sum, Count, Dyck, Program }
