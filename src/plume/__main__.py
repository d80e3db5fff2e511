from plume.cli import main

main()
