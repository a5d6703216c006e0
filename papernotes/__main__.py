from papernotes.cli.app import main

main()
