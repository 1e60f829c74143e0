namespace Veza.Authentication.EntityFrameworkCore;

/// <summary>Where the Veza tables go when the model is added to a host's own <c>DbContext</c>
/// (<see cref="VezaModelBuilderExtensions.AddVezaAuthentication"/>).</summary>
public sealed class VezaModelOptions
{
    /// <summary>The schema of the tables (PostgreSQL), or <see langword="null"/> for the context's default.</summary>
    public string? Schema { get; set; }

    /// <summary>Put before every table name; <c>veza_</c> by default. Letters, digits and underscores only.</summary>
    public string TablePrefix { get; set; } = "veza_";
}
