namespace Veza.Authentication.Tests;

/// <summary>The packages' source stays in files a reader can hold in mind: none over 350 lines. Migrations, written by
/// `dotnet ef`, are not read as source.</summary>
[TestFixture]
public sealed class SourceSizeTests
{
    private const int MaxLines = 350;

    [Test]
    public void No_source_file_of_the_packages_is_over_350_lines()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Veza.Authentication.sln")))
        {
            root = root.Parent;
        }

        Assert.That(root, Is.Not.Null, "the repository root is above the test's output folder");
        var source = Path.Combine(root!.FullName, "src");
        var tooLong = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: Path.GetRelativePath(source, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.File} ({f.Lines} lines)")
            .ToList();

        Assert.That(Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories).Count(), Is.GreaterThan(50), "the sources were found");
        Assert.That(tooLong, Is.Empty);
    }
}
