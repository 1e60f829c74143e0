using Veza.Authentication.Hosting;
using Veza.Authentication.Tests.Infrastructure;

namespace Veza.Authentication.Tests;

/// <summary>
/// The library's namespaces depend one way, as read from the compiled assembly: no namespace uses, directly or through
/// others, a namespace that uses it.
/// </summary>
[TestFixture]
public sealed class NamespaceDependencyTests
{
    [Test]
    public void The_library_namespaces_have_no_dependency_cycle()
    {
        var graph = NamespaceGraph.Of(typeof(VezaAuthenticationOptions).Assembly, name => name.StartsWith("Veza.Authentication", StringComparison.Ordinal));

        Assert.That(graph.FindCycle(), Is.Null, () => Describe(graph));
    }

    [Test]
    public void A_cycle_made_by_a_lambda_body_and_a_parent_namespace_type_is_found()
    {
        // The sample parent namespace uses its child only inside a lambda (a compiler-generated class, in IL), and the
        // child uses the parent's type without a using line: a reader of signatures or using lines would see no cycle.
        var graph = NamespaceGraph.Of(typeof(NamespaceSamples.Part).Assembly,
            name => name.StartsWith(typeof(NamespaceSamples.Part).Namespace!, StringComparison.Ordinal));

        Assert.That(graph.FindCycle(), Is.EqualTo(new[] { "Veza.Authentication.Tests.NamespaceSamples", "Veza.Authentication.Tests.NamespaceSamples.Child",
            "Veza.Authentication.Tests.NamespaceSamples" }), () => Describe(graph));
    }

    private static string Describe(NamespaceGraph graph)
    {
        var cycle = graph.FindCycle();
        if (cycle is null)
        {
            return "No cycle.";
        }

        var steps = cycle.Zip(cycle.Skip(1), (from, to) => $"  {from} → {to}, for example {graph.Edges[from][to]}");
        return $"Namespace cycle {string.Join(" → ", cycle)}:{Environment.NewLine}{string.Join(Environment.NewLine, steps)}";
    }
}
