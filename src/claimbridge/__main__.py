from claimbridge.cli import main

main()
