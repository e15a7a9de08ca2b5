from detente.cli import main

# Guarded: query worker processes are spawned, and spawning re-imports the main module.
if __name__ == "__main__":
    main()
