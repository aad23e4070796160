"""A cache do modelo de base partilhada pelas entregas de uma avaliação: aquecida uma vez, lida
(só de leitura) por cada kernel.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from autograder import comum
from autograder.comum import ambiente_nbgrader


def pasta_cache_modelos(raiz: Path) -> Path:
    """A cache do modelo de base partilhada pelas entregas de uma avaliação (só de leitura
    para o kernel isolado; ver ``aquecer_cache``): a de ``CURSO4_CACHE_MODELOS`` se estiver
    definida (os testes partilham uma por sessão), senão uma dentro da raiz da avaliação."""
    pasta = os.environ.get(comum.ENV_CACHE_MODELOS)
    return Path(pasta) if pasta else raiz / ".avaliacao" / "cache_modelos"


def cache_legivel(pasta: Path) -> None:
    """O kernel isolado corre como nobody: a cache tem de se poder atravessar e ler (uma pasta
    de ``mktemp -d`` é 700). Só se acrescentam as permissões de leitura; nada de escrita."""
    try:
        if pasta.is_dir():
            pasta.chmod(pasta.stat().st_mode | 0o055)
            for ficheiro in pasta.iterdir():
                if ficheiro.is_file():
                    ficheiro.chmod(ficheiro.stat().st_mode | 0o044)
    except OSError:  # não é nossa: o kernel treina o modelo ele próprio
        pass


SELO_CACHE = ".aquecida"  # na pasta da cache: a impressão do que fez o modelo que lá está


def impressao_do_modelo_de_base() -> str:
    """O que decide a chave do modelo de base em cache (``otimizacao.modelos.chave_cache``),
    lido sem importar o TensorFlow: o código que define o modelo e os dados, e as versões do
    Python, do processador e dos pacotes de que o treino depende."""
    import platform
    from importlib import metadata

    h = hashlib.sha256()
    pacote = comum.RAIZ / "course" / "otimizacao"
    for nome in ("modelos.py", "dados.py"):
        h.update((pacote / nome).read_bytes())
    partes = [platform.python_version(), platform.machine()]
    for distribuicao in ("numpy", "tensorflow", "tf-keras", "scikit-learn"):
        try:
            partes.append(metadata.version(distribuicao))
        except metadata.PackageNotFoundError:
            partes.append("?")
    h.update(json.dumps(partes).encode())
    return h.hexdigest()


def aquecer_cache(raiz: Path) -> str:
    """Treina uma vez o modelo de base do curso (``otimizacao.modelos.treinar_modelo_base``)
    para a cache da avaliação: cada entrega lê-o em vez de o treinar outra vez. Devolve o que
    o treino escreveu no ecrã (uma linha). Uma falha aqui não para a avaliação: os cadernos
    treinam o modelo eles próprios.

    Se a cache já foi aquecida com o mesmo código e as mesmas versões (o selo ``SELO_CACHE``
    guarda essa impressão e o nome do modelo) e o modelo ainda lá está, não se arranca um
    processo com o TensorFlow só para o confirmar (~10 s em cada ``make avaliar``)."""
    pasta = pasta_cache_modelos(raiz)
    impressao = impressao_do_modelo_de_base()
    selo = pasta / SELO_CACHE
    with contextlib.suppress(OSError, ValueError):
        guardado = json.loads(selo.read_text(encoding="utf-8"))
        if guardado.get("impressao") == impressao and (pasta / guardado.get("modelo", "")).is_file():
            cache_legivel(pasta)
            return f"Modelo de base já na cache ({guardado['modelo']}), do mesmo código e versões."
    antes = set(pasta.glob("modelo_base-*.keras"))
    env = ambiente_nbgrader()
    env[comum.ENV_CACHE_MODELOS] = str(pasta)
    codigo = "from otimizacao import dados, modelos; modelos.treinar_modelo_base(dados.carregar_dados())"
    proc = subprocess.run([sys.executable, "-c", codigo], env=env, capture_output=True, text=True)
    linhas = [linha for linha in proc.stdout.splitlines() if linha.startswith("Modelo de base")]
    # O modelo que o processo usou: o que diz ter lido, ou o que acabou de aparecer na pasta.
    usado = re.findall(r"(modelo_base-[0-9a-f]+\.keras)", linhas[-1]) if linhas else []
    novos = sorted(set(pasta.glob("modelo_base-*.keras")) - antes)
    modelo = usado[0] if usado else (novos[0].name if len(novos) == 1 else None)
    if proc.returncode == 0 and modelo and (pasta / modelo).is_file():
        with contextlib.suppress(OSError):
            temporario = selo.with_name(f"{SELO_CACHE}.{os.getpid()}")
            temporario.write_text(json.dumps({"impressao": impressao, "modelo": modelo}), encoding="utf-8")
            os.replace(temporario, selo)
    cache_legivel(pasta)
    return linhas[-1] if linhas else f"Não consegui preparar a cache do modelo de base: {proc.stderr.strip()[-300:]}"
