using Veza.Authentication.Stores;

namespace Veza.Authentication.Changes;

/// <summary>Something that remembers what the stores said, and must forget it when the change feed says it changed.</summary>
internal interface IChangeListener
{
    /// <summary>Forgets what is remembered about the thing <paramref name="change"/> names, if it is of a kind this
    /// listener remembers. Called once per entry, on the feed reader's thread; must be quick and must not throw.</summary>
    void OnChanged(VezaChange change);

    /// <summary>Forgets everything: entries may have been missed (pruned before this instance read them, or the feed
    /// could not be read for too long).</summary>
    void ForgetAll();
}
