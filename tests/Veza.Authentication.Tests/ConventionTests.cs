using System.Reflection;
using Veza.Authentication.Hosting;

namespace Veza.Authentication.Tests;

/// <summary>The public API keeps the shape ASP.NET Core users expect.</summary>
[TestFixture]
public sealed class ConventionTests
{
    private static readonly Type[] PublicTypes = typeof(VezaAuthenticationOptions).Assembly.GetExportedTypes();

    // An events class is made to be derived from, and its methods take the framework's context (which carries the
    // request and its abort token), as JwtBearerEvents does. It is the one named exception.
    private static readonly Type EventsType = typeof(VezaBearerEvents);

    [Test]
    public void Public_classes_are_sealed_or_static()
    {
        var open = PublicTypes.Where(t => t.IsClass && !t.IsSealed && !(t.IsAbstract && t.IsSealed) && t != EventsType).Select(t => t.FullName);
        Assert.That(open, Is.Empty);
    }

    [Test]
    public void Public_async_methods_take_a_cancellation_token_last()
    {
        var offenders = PublicTypes
            .Where(t => t != EventsType)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && IsAwaitable(m.ReturnType))
            .Where(m => m.GetParameters() is var p && (p.Length == 0 || p[^1].ParameterType != typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");
        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void Registration_extensions_live_in_the_framework_namespaces()
    {
        // Found by name among the exported methods, so a move to another namespace is seen.
        string NamespaceOf(string method) => PublicTypes
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Single(m => m.Name == method).DeclaringType!.Namespace!;

        Assert.Multiple(() =>
        {
            Assert.That(NamespaceOf("AddVezaAuthentication"), Is.EqualTo("Microsoft.Extensions.DependencyInjection"));
            Assert.That(NamespaceOf("MapVezaManagement"), Is.EqualTo("Microsoft.AspNetCore.Builder"));
            Assert.That(NamespaceOf("RequireVezaPermission"), Is.EqualTo("Microsoft.AspNetCore.Authorization"));
        });
    }

    [Test]
    public void The_administration_package_keeps_the_same_shape()
    {
        var types = typeof(Veza.Authentication.Administration.VezaAdministrationOptions).Assembly.GetExportedTypes();
        Assert.Multiple(() =>
        {
            Assert.That(types.Where(t => t.IsClass && !t.IsSealed).Select(t => t.FullName), Is.Empty);
            Assert.That(types.Select(t => t.Name), Is.EquivalentTo(new[]
            {
                "VezaAdministrationOptions", "VezaAdministrationServiceCollectionExtensions", "VezaAdministrationEndpointRouteBuilderExtensions",
            }), "the pages themselves are not public API");
            Assert.That(typeof(Microsoft.Extensions.DependencyInjection.VezaAdministrationServiceCollectionExtensions).Namespace,
                Is.EqualTo("Microsoft.Extensions.DependencyInjection"));
            Assert.That(typeof(Microsoft.AspNetCore.Builder.VezaAdministrationEndpointRouteBuilderExtensions).Namespace, Is.EqualTo("Microsoft.AspNetCore.Builder"));
        });
    }

    private static bool IsAwaitable(Type type)
        => type == typeof(Task) || type == typeof(ValueTask)
           || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)));
}
