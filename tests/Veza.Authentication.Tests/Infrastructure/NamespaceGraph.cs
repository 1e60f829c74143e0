using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// Which namespaces of an assembly use which, read from the compiled assembly rather than from <c>using</c> lines
/// (a child namespace sees its parents' types without one). A type uses what its signatures, attributes and method
/// bodies name; nested and compiler-generated types (lambdas, async state machines) count as their outermost type.
/// Each edge keeps one example of a type that uses another, so a failure can say where a dependency comes from.
/// </summary>
internal sealed class NamespaceGraph
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value);

    private readonly Assembly _assembly;
    private readonly Func<string, bool> _inScope;

    private NamespaceGraph(Assembly assembly, Func<string, bool> inScope)
    {
        _assembly = assembly;
        _inScope = inScope;
    }

    /// <summary>For each namespace, the namespaces it uses, each with one example "using type → used type".</summary>
    public Dictionary<string, Dictionary<string, string>> Edges { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the namespaces of <paramref name="assembly"/> that <paramref name="inScope"/> accepts.</summary>
    public static NamespaceGraph Of(Assembly assembly, Func<string, bool> inScope)
    {
        var graph = new NamespaceGraph(assembly, inScope);
        foreach (var type in assembly.GetTypes())
        {
            var owner = Outermost(type);
            if (graph.NamespaceOf(type) is { } from)
            {
                graph.Edges.TryAdd(from, new Dictionary<string, string>(StringComparer.Ordinal));
                foreach (var used in TypesUsedBy(type))
                {
                    if (graph.NamespaceOf(used) is { } to && to != from)
                    {
                        graph.Edges[from].TryAdd(to, $"{owner.FullName} → {Outermost(used).FullName}");
                    }
                }
            }
        }

        return graph;
    }

    /// <summary>A cycle of namespaces, first namespace repeated at the end, or <see langword="null"/> when there is none.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path; true: done
        var path = new List<string>();
        foreach (var start in Edges.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out var done))
            {
                return done ? null : [.. path.Skip(path.IndexOf(node)), node];
            }

            state[node] = false;
            path.Add(node);
            foreach (var next in Edges.GetValueOrDefault(node)?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = true;
            return null;
        }
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    // The namespace a type of this assembly counts in; null for types of other assemblies, for namespaces out of scope,
    // and for the compiler's own top-level types (anonymous types, embedded attributes, private implementation details).
    private string? NamespaceOf(Type type)
    {
        var owner = Outermost(type);
        return owner.Assembly == _assembly && owner.Namespace is { } name && _inScope(name) && owner.GetCustomAttribute<CompilerGeneratedAttribute>() is null
            ? name
            : null;
    }

    private static HashSet<Type> TypesUsedBy(Type type)
    {
        var used = new HashSet<Type>();
        Add(used, type.BaseType);
        foreach (var contract in type.GetInterfaces())
        {
            Add(used, contract);
        }

        AddAttributes(used, type.GetCustomAttributesData());
        foreach (var parameter in type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])
        {
            AddAll(used, parameter.GetGenericParameterConstraints());
        }

        foreach (var field in type.GetFields(Declared))
        {
            Add(used, field.FieldType);
            AddAttributes(used, field.GetCustomAttributesData());
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(used, property.PropertyType);
            AddAttributes(used, property.GetCustomAttributesData());
        }

        foreach (var @event in type.GetEvents(Declared))
        {
            Add(used, @event.EventHandlerType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            AddAttributes(used, method.GetCustomAttributesData());
            foreach (var parameter in method.GetParameters())
            {
                Add(used, parameter.ParameterType);
                AddAttributes(used, parameter.GetCustomAttributesData());
            }

            if (method is MethodInfo info)
            {
                Add(used, info.ReturnType);
                AddAttributes(used, info.ReturnParameter.GetCustomAttributesData());
                foreach (var parameter in info.IsGenericMethodDefinition ? info.GetGenericArguments() : [])
                {
                    AddAll(used, parameter.GetGenericParameterConstraints());
                }
            }

            AddBody(used, type, method);
        }

        return used;
    }

    private static void AddBody(HashSet<Type> used, Type type, MethodBase method)
    {
        if (method.GetMethodBody() is not { } body)
        {
            return;
        }

        AddAll(used, body.LocalVariables.Select(v => v.LocalType));
        AddAll(used, body.ExceptionHandlingClauses.Where(c => c.Flags == ExceptionHandlingClauseOptions.Clause).Select(c => c.CatchType));
        var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } generic ? generic.GetGenericArguments() : null;
        var il = body.GetILAsByteArray() ?? [];
        var at = 0;
        while (at < il.Length)
        {
            var value = il[at] == 0xFE ? unchecked((short)(0xFE00 | il[at + 1])) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    AddMember(used, method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments));
                    break;
                case OperandType.InlineSwitch:
                    at += 4 * BitConverter.ToInt32(il, at);
                    break;
            }

            at += OperandSize(opCode.OperandType);
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        // InlineBrTarget, InlineField, InlineI, InlineMethod, InlineSig, InlineString, InlineSwitch (its count), InlineTok,
        // InlineType, ShortInlineR.
        _ => 4,
    };

    private static void AddMember(HashSet<Type> used, MemberInfo? member)
    {
        switch (member)
        {
            case Type type:
                Add(used, type);
                break;
            case FieldInfo field:
                Add(used, field.DeclaringType);
                Add(used, field.FieldType);
                break;
            case MethodBase method:
                Add(used, method.DeclaringType);
                AddAll(used, method.GetParameters().Select(p => p.ParameterType));
                if (method is MethodInfo info)
                {
                    Add(used, info.ReturnType);
                    AddAll(used, info.IsGenericMethod ? info.GetGenericArguments() : []);
                }

                break;
        }
    }

    private static void AddAttributes(HashSet<Type> used, IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            Add(used, attribute.AttributeType);
            var arguments = attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(a => a.TypedValue));
            AddAll(used, arguments.Select(a => a.Value as Type));
        }
    }

    private static void AddAll(HashSet<Type> used, IEnumerable<Type?> types)
    {
        foreach (var type in types)
        {
            Add(used, type);
        }
    }

    // A type and everything its name is made of: element types of arrays, pointers and references, and generic arguments.
    private static void Add(HashSet<Type> used, Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            return;
        }

        if (type.HasElementType)
        {
            Add(used, type.GetElementType());
            return;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            AddAll(used, type.GetGenericArguments());
            type = type.GetGenericTypeDefinition();
        }

        used.Add(type);
    }
}
