"""Lança um comando com limites de recursos: ``python limitar.py <memória_bytes> <cpu_s> -- cmd ...``.

O motor avalia várias entregas em paralelo a partir de threads. Pôr os limites com
``preexec_fn`` do ``subprocess`` corre código Python entre o ``fork`` e o ``exec`` de um
processo com várias threads, o que a documentação do Python desaconselha (pode bloquear). Este
lançador é um processo novo, só com uma thread: aplica os limites a si próprio e dá lugar ao
comando com ``execvp``; os limites passam a todos os descendentes (nbgrader, kernel do aluno).
Não importa nada do projeto.
"""

import os
import resource
import sys


def main(argv: list[str]) -> None:
    memoria, cpu = int(argv[0]), int(argv[1])
    comando = argv[argv.index("--") + 1 :]
    for nome, limite, valor in (("memória", resource.RLIMIT_AS, memoria), ("CPU", resource.RLIMIT_CPU, cpu)):
        try:
            resource.setrlimit(limite, (valor, valor))
        except (ValueError, OSError) as erro:  # p. ex. RLIMIT_AS no macOS: avisa e continua
            print(f"Aviso: não consegui limitar a {nome} da avaliação ({erro}).", flush=True)
    os.execvp(comando[0], comando)


if __name__ == "__main__":
    main(sys.argv[1:])
