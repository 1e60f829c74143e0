// Two namespaces that use each other in ways only the compiled code shows, for NamespaceDependencyTests.

namespace Veza.Authentication.Tests.NamespaceSamples
{
    /// <summary>A type of the parent namespace, used by the child without a using line.</summary>
    internal class Part
    {
        /// <summary>Reaches the child namespace only inside a lambda, which the compiler puts in a nested class.</summary>
        public static Func<Part> Later() => static () => new Child.Piece();
    }
}

namespace Veza.Authentication.Tests.NamespaceSamples.Child
{
    /// <summary>Derives from the parent namespace's type, which a child namespace sees without a using line.</summary>
    internal sealed class Piece : Part;
}
