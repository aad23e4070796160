"""O registo do teu progresso no módulo: o que já demonstraste, caderno a caderno.

Cada caderno, quando os testes visíveis de um exercício passam, chama ``verificacao.passou``
(que chama ``registar`` com o caderno que o manifesto dá ao exercício) e o exercício fica
registado, com as figuras que tu próprio mediste (a razão de compressão do teu int8, a
esparsidade a que a tua poda chegou, ...). O caderno ``10_checklist`` lê o registo e
mostra, item a item do checklist do módulo, o que os teus resultados já provam.

O ficheiro
    ``.progresso_modulo4.json`` na pasta dos cadernos (``course/``: a pasta onde está o pacote
    ``otimizacao``, se tiver cadernos ``NN_*.ipynb``; senão, a pasta de trabalho do caderno). A
    variável de ambiente ``CURSO4_PROGRESSO`` escolhe outro ficheiro; vazia, desliga o registo.
    Durante a avaliação do professor (nbgrader, ``CURSO4_AUTOGRADER`` definida) nada se regista,
    mesmo com ``CURSO4_PROGRESSO``.

O formato (JSON, versão 1)::

    {
      "versao": 1,
      "exercicios": {
        "quantizar_modelo_int8": {"caderno": "01_ptq_tflite", "passou": true,
                                  "quando": "2026-12-02T16:30:00+00:00"}
      },
      "figuras": {
        "01_ptq_tflite": {"razao_int8": 3.56, "queda_pontos": 0.4}
      }
    }

Garantias: escreve-se num ficheiro temporário e troca-se de uma vez (``os.replace``): um
caderno interrompido a meio nunca deixa meio ficheiro. Um ficheiro em falta começa vazio; um
ficheiro estragado (JSON inválido, formato desconhecido) é guardado ao lado como
``.progresso_modulo4.json.estragado`` e recomeça-se do zero, com um aviso. Nenhuma função deste
módulo levanta exceções nem escreve em stderr (na avaliação, uma célula de teste com texto em
stderr vale 0): os avisos vão para o ecrã (stdout), em pt-PT.
Se tiveres dois cadernos abertos a registar ao mesmo tempo, o último a escrever ganha (o registo
de um exercício pode perder-se: volta a correr a célula de testes).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

NOME = ".progresso_modulo4.json"
VERSAO = 1
ENV_PROGRESSO = "CURSO4_PROGRESSO"  # outro ficheiro; vazia: não regista
ENV_AVALIACAO = "CURSO4_AUTOGRADER"  # definida pela avaliação do professor: não regista


def vazio() -> dict:
    """Um registo sem nada demonstrado."""
    return {"versao": VERSAO, "exercicios": {}, "figuras": {}}


def caminho() -> Path | None:
    """O ficheiro do registo, ou None se o registo está desligado (avaliação, ou
    ``CURSO4_PROGRESSO`` vazia)."""
    if os.environ.get(ENV_AVALIACAO):  # a avaliação nunca regista, nem noutro ficheiro
        return None
    if ENV_PROGRESSO in os.environ:
        valor = os.environ[ENV_PROGRESSO].strip()
        return Path(valor).expanduser() if valor else None
    pasta_curso = Path(__file__).resolve().parent.parent
    if any(pasta_curso.glob("[0-9][0-9]_*.ipynb")):
        return pasta_curso / NOME
    return Path.cwd() / NOME


def _valido(dados) -> bool:
    return (
        isinstance(dados, dict)
        and dados.get("versao") == VERSAO
        and isinstance(dados.get("exercicios"), dict)
        and isinstance(dados.get("figuras"), dict)
        and all(isinstance(v, dict) for v in dados["exercicios"].values())
        and all(isinstance(v, dict) for v in dados["figuras"].values())
    )


def _ler(ficheiro: Path, avisar: bool) -> tuple[dict, str]:
    """(registo, estado): estado é "ok", "em_falta" ou "estragado" (o estragado fica guardado
    com a extensão ``.estragado`` e o registo recomeça vazio)."""
    try:
        texto = ficheiro.read_text(encoding="utf-8")
    except FileNotFoundError:
        return vazio(), "em_falta"
    except OSError as erro:
        if avisar:
            print(f"⚠️  Não consegui ler o registo de progresso {ficheiro} ({erro}); "
                  "continuo com um registo vazio. Confirma as permissões da pasta.")
        return vazio(), "estragado"
    try:
        dados = json.loads(texto)
    except ValueError:
        dados = None
    if _valido(dados):
        return dados, "ok"
    copia = ficheiro.with_name(ficheiro.name + ".estragado")
    try:
        os.replace(ficheiro, copia)
        onde = f"guardei o ficheiro estragado em {copia.name}"
    except OSError:
        onde = "não o consegui pôr de lado"
    if avisar:
        print(f"⚠️  O registo de progresso {ficheiro} estava estragado (não é o JSON que o curso "
              f"escreve); {onde} e recomecei do zero. Volta a correr as células de testes dos "
              "cadernos para registar outra vez o que já demonstraste.")
    return vazio(), "estragado"


def ler(avisar: bool = True) -> dict:
    """O registo de progresso (um registo vazio se o ficheiro não existe, está estragado ou o
    registo está desligado). Nunca levanta exceções."""
    try:
        ficheiro = caminho()
        if ficheiro is None:
            return vazio()
        return _ler(ficheiro, avisar)[0]
    except Exception as erro:  # nunca parar um caderno por causa do registo
        if avisar:
            print(f"⚠️  Não consegui ler o registo de progresso ({type(erro).__name__}: {erro}).")
        return vazio()


def estado() -> str:
    """Como está o ficheiro: "ok", "em_falta", "estragado" ou "desligado" (sem o alterar, a
    não ser pôr de lado um ficheiro estragado)."""
    try:
        ficheiro = caminho()
        if ficheiro is None:
            return "desligado"
        return _ler(ficheiro, avisar=False)[1]
    except Exception:
        return "estragado"


def _escrever(ficheiro: Path, dados: dict) -> None:
    ficheiro.parent.mkdir(parents=True, exist_ok=True)
    descritor, temporario = tempfile.mkstemp(prefix=ficheiro.name + ".", suffix=".tmp", dir=ficheiro.parent)
    try:
        with os.fdopen(descritor, "w", encoding="utf-8") as f:
            json.dump(dados, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(temporario, ficheiro)
    except BaseException:
        try:
            os.unlink(temporario)
        except OSError:
            pass
        raise


def _numero(valor) -> float | None:
    """Um número finito como float (numpy incluído), ou None."""
    try:
        x = float(valor)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def registar(caderno: str, exercicio: str | None = None, passou: bool = True,
             figuras: dict | None = None) -> None:
    """Regista no ficheiro de progresso que o ``exercicio`` do ``caderno`` passou (ou não) nos
    testes visíveis, e as ``figuras`` que mediste nesse caderno ({nome: número}). Sem
    ``exercicio``, regista só as figuras. Não devolve nada (é a última linha das células de testes:
    um valor devolvido apareceria no ecrã). Nunca levanta exceções: um problema com o ficheiro é
    um aviso no ecrã e o caderno continua."""
    try:
        ficheiro = caminho()
        if ficheiro is None:
            return
        dados, _ = _ler(ficheiro, avisar=True)
        if exercicio is not None:
            dados["exercicios"][str(exercicio)] = {
                "caderno": str(caderno),
                "passou": bool(passou),
                "quando": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        if figuras:
            destino = dados["figuras"].setdefault(str(caderno), {})
            for nome, valor in figuras.items():
                numero = _numero(valor)
                if numero is not None:
                    destino[str(nome)] = numero
        _escrever(ficheiro, dados)
    except Exception as erro:  # nunca parar um caderno por causa do registo
        print(f"⚠️  Não consegui guardar o teu progresso ({type(erro).__name__}: {erro}). "
              "Os testes passaram na mesma; o caderno 10_checklist só não o vai saber.")


def exemplo() -> dict:
    """Um registo de exemplo (o de um aluno a meio do módulo), para ver o formato."""
    quando = "2026-12-02T10:00:00+00:00"
    feitos = {
        "memoria_modelo": "00_numeros_e_memoria", "quantizar_afim": "00_numeros_e_memoria",
        "empacotar_int4": "00_numeros_e_memoria", "quantizar_modelo_int8": "01_ptq_tflite",
        "inferencia_tflite": "01_ptq_tflite", "avaliar_tflite": "01_ptq_tflite",
        "calcular_sparsity": "04_poda", "podar_progressivamente": "04_poda", "tamanho_gzip": "04_poda",
        "otimizar_modelo_completo": "05_poda_e_quantizacao", "perda_destilacao": "06_destilacao",
        "WarmUpCosineDecay": "07_taxa_de_aprendizagem",
    }
    return {
        "versao": VERSAO,
        "exercicios": {n: {"caderno": c, "passou": True, "quando": quando} for n, c in feitos.items()},
        "figuras": {
            "01_ptq_tflite": {"razao_int8": 3.56, "queda_pontos": 2.6},
            "04_poda": {"esparsidade": 0.79, "erro_esparsidade": 0.01},
            "05_poda_e_quantizacao": {"razao": 9.3, "queda_pontos": 1.1},
        },
    }
